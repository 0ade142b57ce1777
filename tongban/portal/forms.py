"""Input shapes of the portal's application pages (no rules: the services decide)."""

from __future__ import annotations

from tongban.cases.forms import ApplicantForm

# The citizen's own browser may fill these in (the counter form turns it off).
AUTOCOMPLETE = {
    "name": "name",
    "mobile": "tel-national",
    "address": "street-address",
    "id_number": "off",
    "contact_name": "off",
}


class PortalApplicantForm(ApplicantForm):
    """The applicant, as on the counter form, filled in by the citizen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["mobile"].widget.attrs["inputmode"] = "tel"
        self.fields["id_number"].widget.attrs["spellcheck"] = "false"
