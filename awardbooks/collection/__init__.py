"""A collection: one partnership's (or one consultant's client list's) year in one folder, with
a ledger of every workbook issued and every return taken in, term after term."""
