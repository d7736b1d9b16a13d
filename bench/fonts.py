"""What embedding CJK fonts costs: render time and PDF size, CID faces vs embedded Noto, side by side."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from bench.documents import TEXT, pages_html
from harness.pdf import page_fonts
from tasks.document.policy import server_policy
from tasks.fonts import cjk as cjk_fonts
from tasks.render import patches
from tasks.render.renderer import render_pdf

LETTER_LINES = (
    "존경하는 고객님께,",
    "2026년 3분기 거래 내역을 아래와 같이 알려 드립니다. 매출은 전 분기보다 12% 증가했으며,",
    "Quarterly revenue rose to KRW 1,234,000,000; 영업이익은 4억 원을 기록했습니다.",
    "새로운 서비스 계약과 해외 시장 진출이 성장을 이끌었습니다. 다음 분기에도 변함없는 관심을 부탁드립니다.",
)


def korean_letter() -> str:
    """A one-page Korean business letter with some Latin, a heading and a small table."""
    body = "".join(f"<p>{line}</p>" for line in LETTER_LINES * 4)
    rows = "".join(f"<tr><td>항목 {n}</td><td>{n * 1250:,} 원</td><td>완료</td></tr>" for n in range(1, 9))
    return (
        "<html lang='ko'><head><meta charset='utf-8'><style>td{border:1px solid #999;padding:2px}</style></head>"
        f"<body><h1>거래 내역 안내</h1>{body}<table>{rows}</table><p>주식회사 한빛 드림</p></body></html>"
    )


@contextmanager
def cid_faces() -> Iterator[None]:
    """The renderer as it was: ReportLab's non-embedded CID faces, no family aliases."""
    original = cjk_fonts.face
    cjk_fonts.face = lambda language, serif: None
    try:
        with patches.without_family_aliases():
            yield
    finally:
        cjk_fonts.face = original


@contextmanager
def embedded() -> Iterator[None]:
    yield


def font_bytes(pdf: bytes) -> int:
    """Bytes of the embedded TrueType font files in `pdf`, uncompressed (the PDF stores them deflated)."""
    sizes: dict[int, int] = {}
    for font in page_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        stream = descriptor.get_object().get("/FontFile2") if descriptor is not None else None
        if stream is not None:
            sizes[stream.idnum] = len(stream.get_object().get_data())
    return sum(sizes.values())


def first_use_seconds() -> float:
    """Registering the Korean sans face from the cache, in a fresh process (once per worker process)."""
    code = "import time; from tasks.fonts import cjk; t = time.perf_counter(); cjk.face('ko', False); "
    code += "print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fonts", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    patches.install()
    cjk_fonts.face("ko", False)  # registered up front: the first-use cost is measured on its own
    documents = {
        "Korean letter (1 page)": korean_letter(),
        "Korean report (20 pages)": pages_html(20).replace(TEXT, LETTER_LINES[1] * 3),
        "Latin report (20 pages)": pages_html(20),
    }
    modes: dict[str, Callable[[], AbstractContextManager[None]]] = {
        "CID faces (before)": cid_faces,
        "embedded (after)": embedded,
    }
    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], tuple[int, int, int]] = {}
    for _ in range(args.rounds):
        for document, html in documents.items():
            for mode, context in modes.items():
                with context():
                    started = time.perf_counter()
                    result = render_pdf(html, policy=server_policy())
                    times.setdefault((document, mode), []).append(time.perf_counter() - started)
                sizes[document, mode] = (len(result.pdf), font_bytes(result.pdf), result.pages)
    print(f"{'document':26} {'fonts':20} {'median s':>9} {'min s':>7} {'PDF bytes':>10} {'font bytes':>10} pages")
    for (document, mode), values in times.items():
        pdf, font, pages = sizes[document, mode]
        print(f"{document:26} {mode:20} {statistics.median(values):9.3f} {min(values):7.3f} {pdf:10} {font:10} {pages}")
    print(f"first use of Noto Sans KR in a process (from the cache): {first_use_seconds():.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
