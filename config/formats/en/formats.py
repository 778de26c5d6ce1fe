"""English: "Dec 31, 2026", "2:30 PM", "1,500.50" (month names: never 12/31 vs 31/12)."""

SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y g:i A"
TIME_FORMAT = "g:i A"
DATE_FORMAT = SHORT_DATE_FORMAT
DATETIME_FORMAT = SHORT_DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
FIRST_DAY_OF_WEEK = 0  # Sunday

# What people type into a date or time field (ISO first: the browsers' pickers send it).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%b %d, %Y", "%b %d %Y"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
