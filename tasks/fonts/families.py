"""Common system and web font families, mapped to the built-in PDF face of the same kind and metrics.

tasks/render/patches.py adds them to xhtml2pdf's table of known families.
"""

from __future__ import annotations

# Families a stylesheet names for system or web fonts the service does not have. xhtml2pdf walks a
# font-family list until a family is known, so these decide the lists that name no generic family
# (`"Segoe UI", Roboto`, `Menlo, Consolas`), which fell to Helvetica with a warning even when
# monospace or serif was meant. A document's own @font-face of the same name still wins. CJK
# families map to the face of their kind: their Hangul, kana and Han come from tasks/fonts/cjk.py.
SANS = """-apple-system, BlinkMacSystemFont, Segoe UI, Segoe UI Variable, Roboto, Helvetica Neue, Arial Nova,
    Inter, Noto Sans, Liberation Sans, Arimo, Nimbus Sans, DejaVu Sans, Open Sans, Lato, Source Sans Pro,
    Source Sans 3, Ubuntu, Cantarell, Fira Sans, Droid Sans, Oxygen, Oxygen-Sans, Tahoma, Trebuchet MS,
    Lucida Grande, Lucida Sans Unicode, Lucida Sans, Calibri, Candara, Corbel, Avenir, Avenir Next,
    Montserrat, Nunito, Nunito Sans, Poppins, Raleway, PT Sans, SF Pro Text, SF Pro Display, Gill Sans,
    Franklin Gothic Medium, Century Gothic, Work Sans, IBM Plex Sans, Manrope, Public Sans, Figtree, Geist,
    DM Sans, Plus Jakarta Sans, Mulish, Rubik, Malgun Gothic, 맑은 고딕, Apple SD Gothic Neo, Nanum Gothic,
    NanumGothic, Noto Sans KR, Noto Sans CJK KR, Dotum, 돋움, Gulim, 굴림, Pretendard, Spoqa Han Sans Neo,
    Hiragino Sans, Hiragino Kaku Gothic Pro, Hiragino Kaku Gothic ProN, Meiryo, Yu Gothic, MS Gothic,
    MS PGothic, Noto Sans JP, Noto Sans CJK JP, PingFang SC, PingFang TC, PingFang HK, Microsoft YaHei,
    Microsoft JhengHei, Heiti SC, Heiti TC, SimHei, Noto Sans SC, Noto Sans TC, Noto Sans CJK SC,
    Noto Sans CJK TC, Source Han Sans"""
SERIF = """Times, Cambria, Palatino, Palatino Linotype, Book Antiqua, Garamond, Liberation Serif, Tinos,
    Nimbus Roman, DejaVu Serif, Noto Serif, Baskerville, Hoefler Text, Iowan Old Style, Apple Garamond,
    Charter, Bitstream Charter, Sitka Text, Constantia, Merriweather, Playfair Display, Lora, PT Serif,
    Source Serif Pro, Source Serif 4, Crimson Text, EB Garamond, Libre Baskerville, IBM Plex Serif, Didot,
    Big Caslon, Batang, 바탕, Gungsuh, Nanum Myeongjo, NanumMyeongjo, Noto Serif KR, Noto Serif CJK KR,
    Hiragino Mincho Pro, Hiragino Mincho ProN, Yu Mincho, MS Mincho, MS PMincho, Noto Serif JP, SimSun,
    Songti SC, Songti TC, PMingLiU, MingLiU, Noto Serif SC, Noto Serif TC, Source Han Serif"""
MONO = """Menlo, Consolas, Monaco, SFMono-Regular, SF Mono, Liberation Mono, Cousine, Nimbus Mono,
    DejaVu Sans Mono, Lucida Console, Lucida Sans Typewriter, Andale Mono, Source Code Pro, Fira Code,
    Fira Mono, JetBrains Mono, Roboto Mono, Ubuntu Mono, Cascadia Code, Cascadia Mono, IBM Plex Mono,
    Noto Sans Mono, Droid Sans Mono, Inconsolata, Geist Mono"""


def aliases() -> dict[str, str]:
    """Family (lower case, as xhtml2pdf looks it up) -> the base-14 face that stands in for it."""
    table: dict[str, str] = {}
    for families, face in ((SANS, "Helvetica"), (SERIF, "Times-Roman"), (MONO, "Courier")):
        table.update({family.strip().lower(): face for family in families.split(",")})
    return table
