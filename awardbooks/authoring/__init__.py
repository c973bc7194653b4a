"""Authoring workbooks: a framework spec as an Excel workbook a consultant fills in
(:mod:`.writing`), and read back into a spec (:mod:`.reading`); :mod:`.sheets` defines both."""
