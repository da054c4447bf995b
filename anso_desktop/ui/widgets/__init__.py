"""Input widgets: optional dates, money, countries, choices, ordered lists."""
