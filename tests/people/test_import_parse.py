"""Reading a people CSV as spreadsheets write it, and refusing what is not one, with a reason
a person can act on."""

import pytest

from people.imports.parse import MAX_BYTES, MAX_ROWS, ParseError, decode, parse, template_csv

SCHOOL_HEADER = "role,full_name,email,enrolment_number,group,children,language"


def read(data: bytes, kind: str = "school") -> list[dict[str, str]]:
    return [row.values for row in parse(decode(data), kind=kind).rows]


def test_utf8_with_and_without_bom_reads_the_same() -> None:
    # given the same file saved as "CSV UTF-8" (with BOM) and as plain UTF-8
    text = f"{SCHOOL_HEADER}\nstudent,José Núñez,jose@x.org,A1,,,\n"
    # when both are read
    with_bom = read(b"\xef\xbb\xbf" + text.encode())
    without = read(text.encode())
    # then the accents and the first column survive in both
    assert with_bom == without
    assert with_bom[0]["role"] == "student" and with_bom[0]["full_name"] == "José Núñez"


def test_excel_semicolons_windows_1252_and_crlf() -> None:
    # given Excel's plain CSV where the decimal mark is a comma: semicolons, cp1252, CRLF
    data = "Role;Full Name;E-mail\r\npatient;Peña, Ana;ana@x.org\r\n".encode("cp1252")
    # when it is read as a clinic's file
    rows = read(data, kind="clinic")
    # then header names match without regard to case and spelling, and commas stay in cells
    assert rows == [
        {"role": "patient", "full_name": "Peña, Ana", "email": "ana@x.org", "language": ""}
    ]


def test_utf16_tab_separated_and_blank_lines() -> None:
    text = "role\tfull_name\temail\n\npatient\tAna\tana@x.org\n\t\t\n"
    rows = read(text.encode("utf-16"), kind="clinic")
    assert [r["email"] for r in rows] == ["ana@x.org"]


def test_rows_are_numbered_as_the_spreadsheet_numbers_them() -> None:
    # given a header, a blank line and a quoted cell spanning two lines
    text = 'role,full_name,email\n\npatient,"Ana\nMaría",ana@x.org\npatient,Bo,bo@x.org\n'
    rows = parse(decode(text.encode()), kind="clinic").rows
    # then each row keeps the number of its record in the sheet
    assert [(r.number, r.values["email"]) for r in rows] == [(3, "ana@x.org"), (4, "bo@x.org")]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"role,full_name,email\n", "no people"),
        (b"PK\x03\x04\x14\x00rest of a workbook", "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0 old excel", "spreadsheet workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV"),
        (b"role,email\npatient,a@x.org\n", "Missing columns: full_name"),
        (b"role,full_name,email,shoe_size\npatient,A,a@x.org,9\n", "Unknown columns: shoe_size"),
        (b"role,full_name,email,email\npatient,A,a@x.org,b@x.org\n", "twice"),
        (b'role,full_name,email\npatient,"A,a@x.org\n', "not a CSV file we can read"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_with_a_reason(data: bytes, says: str) -> None:
    with pytest.raises(ParseError, match=says):
        read(data, kind="clinic")


def test_a_school_column_in_a_clinic_file_is_unknown() -> None:
    with pytest.raises(ParseError, match="Unknown columns: group"):
        read(b"role,full_name,email,group\npatient,A,a@x.org,1A\n", kind="clinic")


def test_too_large_and_too_many_rows() -> None:
    with pytest.raises(ParseError, match="larger than"):
        decode(b"role,full_name,email\n" + b"x" * MAX_BYTES)
    many = "role,full_name,email\n" + "patient,A,a@x.org\n" * (MAX_ROWS + 1)
    with pytest.raises(ParseError, match="more than 5,000 rows"):
        parse(many, kind="clinic")
    # exactly the limit is fine
    assert (
        len(parse("role,full_name,email\n" + "p,A,a\n" * MAX_ROWS, kind="clinic").rows) == MAX_ROWS
    )


def test_the_templates_read_back_and_differ_by_kind() -> None:
    school = template_csv(kind="school", examples=[["student", "A", "a@x.org", "1", "", "", ""]])
    clinic = template_csv(kind="clinic", examples=[])
    assert school.startswith("\ufeff" + SCHOOL_HEADER + "\r\n")
    assert clinic == "\ufeffrole,full_name,email,language\r\n"
    assert read(school.encode())[0]["enrolment_number"] == "1"
