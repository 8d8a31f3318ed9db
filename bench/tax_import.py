"""Benchmark the tax import: 200,000 rows of the tax office's .xlsx, streamed, into a fresh database.

    .venv/bin/python -m bench.tax_import                   # 200,000 rows, temporary SQLite database
    .venv/bin/python -m bench.tax_import --rows 50000
    .venv/bin/python -m bench.tax_import --database-url postgresql://postgres@127.0.0.1:5432/bench_tax

Goals (issue 4): the import (reading the workbook with openpyxl in read-only mode, checking every row,
matching projects by credit code and writing the records) finishes in under 60 s, with the process's peak
memory under 500 MB. The workbook is written first by a separate process, so the peak measured here is the
import's own. A second import of the same file is timed too: it must change nothing.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TIME_GOAL_S = 60.0
MEMORY_GOAL_MB = 500.0
QUARTERS = 10
KINDS = ("增值税", "企业所得税", "个人所得税", "城市维护建设税", "房产税")
PROJECTS = 500  # taxpayers that are projects in the register (matched by credit code)


def _parse(argv):
    parser = argparse.ArgumentParser(prog="bench.tax_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the workbook (default 200000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an EMPTY database to fill (default: a temporary SQLite file)")
    parser.add_argument("--projects", type=int, default=PROJECTS,
                        help=f"taxpayers that are projects in the register (default {PROJECTS})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (workbook and database)")
    return parser.parse_args(argv)


def _credit(n: int) -> str:
    from crm.leads.identity import credit_code_with_check

    return credit_code_with_check(f"91430211{n:09d}")


def _periods():
    year, quarter = 2023, 1
    for _ in range(QUARTERS):
        yield f"{year}年第{'一二三四'[quarter - 1]}季度"
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def write_workbook(path: str, rows: int) -> None:
    """The tax office's export as Excel saves it: a title row, Chinese headers, shared strings, one row per
    company, quarter and tax kind. Written straight as XML (streamed), because openpyxl's write-only mode
    stores text as inline strings, which Excel itself never does and which read far slower."""
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}

    def sst(text: str) -> int:
        return strings.setdefault(text, len(strings))

    def cell(ref: str, value) -> str:
        if isinstance(value, str):
            return f'<c r="{ref}" t="s"><v>{sst(value)}</v></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    periods = list(_periods())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
                         f'<dimension ref="A1:E{rows + 2}"/><sheetData>').encode())
            sheet.write(f'<row r="1">{cell("A1", "株洲高新区重点企业税收明细（2023–2025）")}</row>'.encode())
            headers = ["统一社会信用代码", "企业名称", "所属期", "税额（万元）", "税种"]
            sheet.write(('<row r="2">' + "".join(cell(f"{c}2", h) for c, h in zip("ABCDE", headers, strict=True))
                         + "</row>").encode())
            written, company, buffer = 0, 0, []
            while written < rows:
                company += 1
                code, name = _credit(company), f"株洲测试{company:05d}科技有限公司"
                for period in periods:
                    for kind in KINDS:
                        if written >= rows:
                            break
                        r = written + 3
                        amount = round(1 + (company * 7919 + written) % 5000 / 37, 4)
                        buffer.append(f'<row r="{r}">{cell(f"A{r}", code)}{cell(f"B{r}", name)}'
                                      f'{cell(f"C{r}", period)}{cell(f"D{r}", amount)}{cell(f"E{r}", kind)}</row>')
                        written += 1
                if len(buffer) > 5000:
                    sheet.write("".join(buffer).encode())
                    buffer = []
            sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<sst xmlns="{NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="税收明细" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>')
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS}"><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _app(database_url: str):
    from config import TestingConfig
    from crm import create_app

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-tax-"))
    workbook = folder / "tax-office-export.xlsx"
    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=write_workbook, args=(str(workbook), args.rows))
    child.start()
    child.join()
    if child.exitcode:
        print("Could not write the workbook.")
        return 1
    print(f"Workbook: {args.rows:,} rows, {workbook.stat().st_size / 2**20:.1f} MB, written in "
          f"{time.perf_counter() - started:.1f} s (separate process).", flush=True)

    database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    app = _app(database_url)
    from flask_migrate import upgrade

    from crm.extensions import db
    from crm.projects.services import create_project
    from crm.tax import services

    with app.app_context():
        upgrade()
        from crm.auth.services import create_user

        manager = create_user("bench@tax.zone", role="manager", name="Bench", password="bench-pass-2026")
        for n in range(1, args.projects + 1):
            create_project({"name": f"测试项目{n}", "company_name": f"株洲测试{n:05d}科技有限公司",
                            "credit_code": _credit(n)}, by=manager)
        db.session.commit()
        baseline = _peak_mb()
        began = time.perf_counter()
        report = services.import_tax(str(workbook), workbook.name, by=manager,
                                     limits=services.file_limits())
        db.session.commit()
        elapsed = time.perf_counter() - began
        peak = _peak_mb()
        again_began = time.perf_counter()
        again = services.import_tax(str(workbook), workbook.name, by=manager, limits=services.file_limits())
        db.session.commit()
        again_elapsed = time.perf_counter() - again_began
    print(f"Import: {report.rows:,} rows read, {report.inserted:,} records written, {report.matched:,} linked to "
          f"projects by credit code.")
    print(f"Time: {elapsed:.1f} s (goal < {TIME_GOAL_S:.0f} s)")
    print(f"Peak memory: {peak:.0f} MB (goal < {MEMORY_GOAL_MB:.0f} MB; {baseline:.0f} MB before the import)")
    print(f"Same file again: {again_elapsed:.1f} s, {again.inserted + again.updated} changes (must be 0).")
    ok = elapsed < TIME_GOAL_S and peak < MEMORY_GOAL_MB and not again.changed and report.inserted == args.rows
    print("Goals met." if ok else "GOAL MISSED.")
    if args.keep:
        print(f"Kept {folder}")
    else:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
