"""ANSO Desktop: the secretariat's offline register of meetings, members, board decisions and finances."""

__version__ = "0.1.0"
APP_NAME = "ANSO Desktop"
ORGANIZATION_NAME = "Alliance of International Science Organizations (ANSO)"
