"""Build the book: a static HTML site of the lessons, offline, from the executed notebooks.

    python book/build.py [OUTPUT_FOLDER]        (``make book`` builds into build/book)

nbconvert's HTML exporter turns each committed notebook, with its stored outputs, into
one page (``book/template/`` is its template). Two things a plain export gets wrong are
done here:

- A widget is stored as a reference to live state that the notebook does not keep, so
  it would show as a blank. Each lesson is executed again at build time, in memory
  (the committed file is never written), with the widgets' state recorded; every panel
  then becomes a picture of its first state (the PNG in its figure Output) above its
  status text. The pictures are kept in build/book-cache/ under a fingerprint of the
  notebook and of nnlib's source, so a second build runs no lesson that did not change.
- An image's alt text would be empty. Here it is the sentence that follows the figure:
  the first paragraph of the markdown cell right after it. A panel followed by no such
  sentence gets its status text, which says what its picture shows.

MathJax is copied beside the pages from the ``jupyter-server-mathjax`` package, so the
site reads offline as well as it builds offline.
"""

import argparse
import copy
import hashlib
import html
import importlib.util
import json
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.filters import markdown2html

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
NOTEBOOKS = REPO / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The CSS classes nnlib gives the parts of every panel (nnlib/widgets.py).
FIGURE_CLASS, STATUS_CLASS = "nnlib-figure", "nnlib-status"
TITLE = "Neural Networks by Hand"
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"


def lessons(folder=NOTEBOOKS):
    """The lesson notebooks, in order: ``NN_name.ipynb``."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def plain_text(node):
    """The text a reader hears for a rendered paragraph: TeX delimiters dropped, spaces collapsed."""
    text = node.get_text() if hasattr(node, "get_text") else BeautifulSoup(node, "html.parser").get_text()
    text = text.replace("$", "").replace("\\(", "").replace("\\)", "")
    return " ".join(text.split())


def first_paragraph(markdown):
    """The plain text of the markdown's first block if that block is a paragraph, else None
    (a heading or a list is not the sentence that says what a figure shows)."""
    soup = BeautifulSoup(markdown2html(markdown), "html.parser")
    first = next((el for el in soup.children if getattr(el, "name", None)), None)
    if first is None or first.name != "p":
        return None
    return plain_text(first) or None


def following_sentence(nb, index):
    """The sentence after cell ``index``: the first paragraph of the next cell, if markdown."""
    if index + 1 >= len(nb.cells) or nb.cells[index + 1].cell_type != "markdown":
        return None
    return first_paragraph(nb.cells[index + 1].source)


def lesson_title(nb, path):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return plain_text(markdown2html(match.group(1)))
    return Path(path).stem


# ---- widgets: a picture of each panel's first state ------------------------------------


def execute_with_widget_state(nb, path):
    """A copy of the notebook ``nb`` (read from ``path``), executed, with its widgets' state
    in its metadata; or the error that stopped it, as text."""
    nb = copy.deepcopy(nb)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    except Exception as e:  # the page is still built from the stored outputs; the error is reported
        lines = [line for line in str(e).strip().splitlines() if line.strip()]
        return f"{type(e).__name__}: {lines[-1] if lines else ''}"
    return nb


def _models(nb):
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _descendants(models, model_id):
    """The states of a widget and of every widget inside it, outermost first."""
    seen, queue, found = set(), [model_id], []
    while queue:
        mid = queue.pop(0)
        if mid in seen or mid not in models:
            continue
        seen.add(mid)
        state = models[mid].get("state", {})
        found.append(state)
        refs = [v for v in state.values() if isinstance(v, str)]
        refs += [x for v in state.values() if isinstance(v, list) for x in v if isinstance(x, str)]
        queue += [r[len("IPY_MODEL_"):] for r in refs if r.startswith("IPY_MODEL_")]
    return found


def panel_picture(models, model_id):
    """{"png": base64 PNG, "status": HTML} of the panel ``model_id``; either may be None."""
    png = status = None
    for state in _descendants(models, model_id):
        classes = state.get("_dom_classes", [])
        if FIGURE_CLASS in classes and png is None:
            png = next((o["data"]["image/png"] for o in state.get("outputs", [])
                        if "image/png" in o.get("data", {})), None)
        if STATUS_CLASS in classes and status is None:
            status = state.get("value") or None
    return {"png": png, "status": status}


def _fingerprint(nb):
    """What a lesson's panels depend on: the notebook and the nnlib its kernel imports."""
    digest = hashlib.sha256(nbformat.writes(nb).encode())
    spec = importlib.util.find_spec("nnlib")
    for source in sorted(Path(spec.origin).parent.rglob("*.py")) if spec and spec.origin else []:
        digest.update(str(source.name).encode() + source.read_bytes())
    return digest.hexdigest()


def panel_pictures(nb, path, cache=None):
    """The first picture and status of every widget the lesson displays, in order, or the
    error that stopped the lesson, as text.

    Running a lesson takes seconds, so with a ``cache`` folder the pictures are kept
    there, under a fingerprint of the notebook and of nnlib's source.
    """
    stored = Path(cache) / f"{Path(path).stem}-{_fingerprint(nb)[:16]}.json" if cache else None
    if stored is not None and stored.exists():
        return json.loads(stored.read_text())
    executed = execute_with_widget_state(nb, path)
    if isinstance(executed, str):
        return executed
    models = _models(executed)
    pictures = [panel_picture(models, out["data"][WIDGET_VIEW]["model_id"]) for _, out in widget_outputs(executed)]
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        for old in stored.parent.glob(f"{Path(path).stem}-*.json"):
            old.unlink()
        stored.write_text(json.dumps(pictures))
    return pictures


def widget_outputs(nb):
    """(cell index, output) of every widget view the notebook displays, in order."""
    return [(i, out) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]


def static_panel(png, status, alt, settings):
    """The HTML that stands in for a panel: its first picture, its status, its settings."""
    return (
        '<figure class="nnlib-static-panel">'
        f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">'
        f'<figcaption class="nnlib-status">{status}</figcaption>'
        "</figure>"
        '<p class="nnlib-static-note">The panel as it first appears, '
        f"<code>{html.escape(settings)}</code>. Run the notebook to move its controls.</p>"
    )


# ---- pages ------------------------------------------------------------------------------


def prepare(nb, pictures):
    """Give every image of ``nb`` its alt text and replace every widget by its picture.

    ``pictures`` is what ``panel_pictures`` found for this notebook. Returns the problems
    found: figures with no sentence after them, panels with no picture.
    """
    problems = []
    if isinstance(pictures, str):
        problems.append(f"could not run the notebook to draw its panels: {pictures}")
        pictures = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                sentence = following_sentence(nb, i)
                if sentence is None:
                    problems.append(f"cell {i}: a figure with no sentence after it "
                                    "(the markdown cell that says what it shows)")
                out.setdefault("metadata", {})["alt"] = sentence or ""
    stored = widget_outputs(nb)
    if pictures and len(stored) != len(pictures):
        problems.append(f"the stored notebook displays {len(stored)} widgets, a fresh run {len(pictures)}: "
                        "refresh its outputs with `make execute`")
        pictures = []
    for k, (i, out) in enumerate(stored):
        settings = out["data"].get("text/plain", "")
        picture = pictures[k] if k < len(pictures) else {}
        png, status = picture.get("png"), picture.get("status")
        if png is None or status is None:
            problems.append(f"cell {i}: widget {settings!r} has no nnlib panel picture and status to show")
            continue
        alt = following_sentence(nb, i) or plain_text(status)
        out["output_type"] = "display_data"
        out.pop("execution_count", None)
        out["data"] = {"text/html": static_panel(png, status, alt, settings), "text/plain": settings}
        out["metadata"] = {}
    return problems


def _nav(pages, k):
    links = ['<a href="index.html">Contents</a>']
    if k > 0:
        links.append(f'<a href="{pages[k - 1]["html"]}" rel="prev">Previous: {html.escape(pages[k - 1]["title"])}</a>')
    if k + 1 < len(pages):
        links.append(f'<a href="{pages[k + 1]["html"]}" rel="next">Next: {html.escape(pages[k + 1]["title"])}</a>')
    return " ".join(links)


def _index(pages):
    items = "\n".join(f'<li><a href="{p["html"]}">{html.escape(p["title"])}</a></li>' for p in pages)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{TITLE}</title><link rel="stylesheet" href="book.css"></head>
<body class="book-index"><main>
<h1>{TITLE}</h1>
<p>Lessons that build a neural network from numpy, one idea at a time, with every output
as the notebooks show it. The panels are pictures of their first state: run the notebooks
to move them.</p>
<ol>
{items}
</ol>
</main></body>
</html>
"""


def _mathjax(out):
    """Copy MathJax beside the pages; its URL for them (the CDN's if it is not installed)."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        print("jupyter-server-mathjax is not installed: the pages load MathJax from the network", file=sys.stderr)
        return MATHJAX_CDN
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(static, out / "mathjax", dirs_exist_ok=True)
    return "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"


def build(out, notebooks=NOTEBOOKS, cache=None, workers=2):
    """Write the site into ``out``; return ``{lesson file name: [problems]}``.

    ``cache``: a folder to keep the panels' pictures in between builds (see ``panel_pictures``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = lessons(notebooks)
    if not paths:
        raise ValueError(f"no lesson notebooks (NN_name.ipynb) in {notebooks}")
    # Each notebook is read once, so its page and its panels' pictures come from one version.
    stored = [nbformat.read(p, as_version=4) for p in paths]
    # One kernel per lesson; two at a time keep both cores of a small machine busy.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pictures = list(pool.map(lambda args: panel_pictures(*args, cache), zip(stored, paths)))
    mathjax_url = _mathjax(out)
    shutil.copy(BOOK / "book.css", out / "book.css")
    pages = [{"html": p.stem + ".html", "title": lesson_title(nb, p)} for p, nb in zip(paths, stored)]
    exporter = HTMLExporter(extra_template_basedirs=[str(BOOK)], template_name="template",
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            mathjax_url=mathjax_url, language_code="en")
    problems = {}
    for k, (path, nb, found) in enumerate(zip(paths, stored, pictures)):
        nb = copy.deepcopy(nb)
        problems[path.name] = prepare(nb, found)
        nb.metadata["title"] = pages[k]["title"]
        body, _ = exporter.from_notebook_node(nb, resources={"book_nav": _nav(pages, k)})
        # Links between lessons point at the pages, not the notebooks.
        body = re.sub(r'href="(?:\./)?([0-9][0-9]_[\w-]+)\.ipynb', r'href="\1.html', body)
        (out / pages[k]["html"]).write_text(body, encoding="utf-8")
    (out / "index.html").write_text(_index(pages), encoding="utf-8")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "build" / "book"), help="output folder")
    parser.add_argument("--notebooks", default=str(NOTEBOOKS), help="folder of the lessons (default: notebooks/)")
    parser.add_argument("--cache", default=str(REPO / "build" / "book-cache"),
                        help="folder that keeps the panels' pictures between builds ('' for none)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    problems = build(args.out, args.notebooks, cache=args.cache or None)
    for name, found in problems.items():
        for p in found:
            print(f"{name}: {p}", file=sys.stderr)
    total = sum(map(len, problems.values()))
    print(f"book: {len(problems)} lessons in {Path(args.out).resolve()}/index.html "
          f"({time.perf_counter() - start:.1f} s{f', {total} problem(s) above' if total else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
