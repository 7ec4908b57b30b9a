"""The two screens the site is read on (issue 18): a laptop and a phone (iPhone 12-15 CSS pixels), in both schemes."""

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
