"""Response schemas shared by every all-or-nothing table import in the API."""

from ninja import Field, Schema


class ImportOut(Schema):
    filename: str
    created: int
    updated: int
    unchanged: int


class RowErrorOut(Schema):
    row: int = Field(description="Row in the file (1 is the header; 0 is the file as a whole).")
    column: str
    message: str


class ImportRejectedOut(Schema):
    message: str
    filename: str
    errors: list[RowErrorOut]
