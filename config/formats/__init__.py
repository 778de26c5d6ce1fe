"""The product's date, time and number formats, one module per language (FORMAT_MODULE_PATH).

One date format, one date-time format and one time format per language, everywhere: templates
write `{{ d|date:"SHORT_DATE_FORMAT" }}`, `{{ dt|date:"SHORT_DATETIME_FORMAT" }}` and
`{{ t|time:"TIME_FORMAT" }}` (never a format string of their own), and the plain DATE_FORMAT,
DATETIME_FORMAT of `{{ value }}` are the same ones. static/aviso/format.js writes the same
formats in the browser with Intl (tests/config/test_formats.py keeps the two together)."""
