"""Printable documents: member list, meeting list, decision register and finance summary.

`documents` builds what a list holds (no Qt); `rendering` lays it out on pages (QtGui only), for
a PDF file, a printer or the print preview alike.
"""
