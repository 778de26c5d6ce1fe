from django import forms

from config.forms import BIGINT_MAX, IntegerInputField

# The largest seq PostgreSQL's bigint holds; a bigger number is bad input, not a server error.
MAX_SEQ = BIGINT_MAX


class MarkReadForm(forms.Form):
    """The inbox page's "mark read" buttons: one notification's seq, or "all"."""

    ALL = "all"

    seq = forms.CharField(max_length=32)

    def clean_seq(self) -> int | None:
        """The seq to mark read, or None for every notification."""
        value: str = self.cleaned_data["seq"]
        if value == self.ALL:
            return None
        seq: int = IntegerInputField(min_value=0, max_value=MAX_SEQ).clean(value)
        return seq
