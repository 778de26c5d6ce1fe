"""People CSV files for the import tests."""

SCHOOL_HEADER = "role,full_name,email,enrolment_number,group,children,language"
CLINIC_HEADER = "role,full_name,email,language"


def school_csv(*rows: str) -> bytes:
    return ("\n".join([SCHOOL_HEADER, *rows]) + "\n").encode()


def clinic_csv(*rows: str) -> bytes:
    return ("\n".join([CLINIC_HEADER, *rows]) + "\n").encode()


def big_school_csv(count: int, *, domain: str = "big.test") -> bytes:
    """`count` people: students, each third row a guardian of the student above, in 1° A."""
    rows = []
    for i in range(count):
        if i % 3 == 2:
            rows.append(f"guardian,Guardian {i},g{i}@{domain},,,s{i - 1}@{domain},es-mx")
        else:
            rows.append(f"student,Student {i},s{i}@{domain},E{i:05d},1° A,,")
    return school_csv(*rows)
