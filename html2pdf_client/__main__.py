"""`python -m html2pdf_client`: the same as the `html2pdf` command."""

import sys

from html2pdf_client.cli import main

sys.exit(main())
