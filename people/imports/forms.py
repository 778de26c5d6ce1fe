"""Input parsing only: the uploaded file, and the previewed file sent back to start the import
(as base64, so no browser rewrites its line ends or encoding on the way)."""

import base64
import binascii

from django import forms
from django.utils.translation import gettext_lazy as _

from people.imports.parse import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self) -> tuple[str, bytes]:
        """(the file's name, its bytes)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s KB: split it into several files."),
                params={"size": MAX_BYTES // 1024},
            )
        return upload.name or "people.csv", upload.read()


class StartForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, strip=False)
    file_name = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_content(self) -> bytes:
        text = self.cleaned_data["content"]
        if len(text) > MAX_BYTES * 4 // 3 + 4:
            raise forms.ValidationError(_("The file is too large."))
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise forms.ValidationError(
                _("The file did not come back as it was sent: upload it again.")
            ) from None


def start_form_for(*, file_name: str, data: bytes) -> StartForm:
    return StartForm(
        initial={"content": base64.b64encode(data).decode("ascii"), "file_name": file_name}
    )
