"""Print one sheet of a workbook as JSON, read by openpyxl (a real reader):
{"rows": [[cell, ...], ...], "formulas": N, "sheets": [...], "fills": [...]};
numbers as numbers, text as strings, empty cells as null; fills: each row's
first-cell background (RRGGBB) or null. Used by tests/it/reports.rs."""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
sheet = book[sys.argv[2]]
rows, formulas, fills = [], 0, []
for row in sheet.iter_rows():
    fill = row[0].fill if row else None
    solid = fill is not None and fill.patternType == "solid"
    fills.append(str(fill.fgColor.rgb)[-6:] if solid else None)
    out = []
    for cell in row:
        if cell.data_type == "f":
            formulas += 1
        out.append(cell.value)
    rows.append(out)
print(json.dumps({"rows": rows, "formulas": formulas, "sheets": book.sheetnames,
                  "fills": fills, "frozen": sheet.freeze_panes, "filter": sheet.auto_filter.ref}))
