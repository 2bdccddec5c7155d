"""Driving JupyterLab in the browser: open a lesson, run it, read its state exactly.

``window.jupyterapp`` (the server exposes it) gives the kernel's status, the cell models
and every message from the kernel, so nothing here guesses from the toolbar's text.
"""

from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Budgets, in milliseconds. A lesson runs in well under 10 s under nbval; the margin
# covers a cold kernel start and a slow CI machine.
PAGE_TIMEOUT = 60_000
RUN_TIMEOUT = 120_000
RETRAIN_TIMEOUT = 60_000
MATH_TIMEOUT = 20_000


# JavaScript run in the page. ``panel(path)`` finds the notebook panel of a file.
_JS_PANEL = """
const panel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
};
// page.evaluate has no timeout of its own: bound every promise awaited in the page.
const within = (seconds, promise) => Promise.race([promise, new Promise((_, reject) =>
  setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000))]);
const kernelIdle = (p) => {
  const s = p && p.sessionContext;
  const k = s && s.session && s.session.kernel;
  return !!(k && s.isReady && !s.pendingInput && k.connectionStatus === 'connected'
            && k.status === 'idle');
};
"""

_JS_KERNEL_READY = _JS_PANEL + "return kernelIdle(panel(path));"

# Record every error and stderr message of the kernel, including those from widget
# callbacks, which JupyterLab shows only in its log console, not in a cell.
_JS_RECORD = _JS_PANEL + """
const p = panel(path);
window.__nnlibKernelErrors = [];
p.sessionContext.iopubMessage.connect((_, msg) => {
  const type = msg.header.msg_type, c = msg.content || {};
  if (type === 'error' || (type === 'stream' && c.name === 'stderr')) {
    window.__nnlibKernelErrors.push({
      type, parent: msg.parent_header ? msg.parent_header.msg_type : null,
      text: type === 'error' ? `${c.ename}: ${c.evalue}` : c.text});
  }
});
p.content.activate();
return true;
"""

# Start "Run All Cells" without awaiting it here, so a cell that never finishes runs
# into the test's timeout instead of hanging the test; the command's promise settles
# when every cell has run, or when one failed (run-all then stops).
_JS_RUN_ALL = _JS_PANEL + """
const app = window.jupyterapp;
app.shell.activateById(panel(path).id);
window.__nnlibRunAll = 'running';
app.commands.execute('notebook:run-all-cells').then(
  ok => { window.__nnlibRunAll = ok ? 'done' : 'failed'; },
  err => { window.__nnlibRunAll = 'error: ' + err; });
return true;
"""

# The stored outputs of the committed notebook already carry execution counts, so the
# command's own completion is the signal; the kernel must then be idle too.
_JS_RUN_DONE = _JS_PANEL + """
return window.__nnlibRunAll !== 'running' && kernelIdle(panel(path));
"""

_JS_CELL_REPORT = _JS_PANEL + """
const p = panel(path);
return p.content.widgets.map((c, i) => ({
  index: i, type: c.model.type,
  count: c.model.type === 'code' ? c.model.executionCount : null,
  outputs: c.model.type === 'code' ? c.model.outputs.toJSON() : [],
}));
"""

# One entry per widget the cells display, found through the cell models (the widget
# renderer's node carries no MIME type): whether a widget view rendered, and the text
# shown instead when it did not. Each is tagged data-nnlib-widget=N for screenshots.
_JS_WIDGETS = _JS_PANEL + f"""
const found = [];
panel(path).content.widgets.forEach((cell, index) => {{
  if (cell.model.type !== 'code') return;
  const outputs = cell.model.outputs;
  for (let i = 0; i < outputs.length; i++) {{
    const data = outputs.get(i).data;
    if (!data || !data['{WIDGET_MIME}']) continue;
    const child = cell.outputArea.widgets[i];
    const node = child && child.node.querySelector('.jp-OutputArea-output');
    const view = node && node.querySelector('.jupyter-widgets');
    // ipywidgets shows an error icon in place of a view it could not create.
    const broken = node && node.querySelector('.jupyter-widgets-error-widget');
    const failed = !!broken || (!!node && node.textContent.includes('Error displaying widget'));
    const text = broken ? (broken.title || broken.textContent).trim() || 'ipywidgets error icon'
                        : node ? node.textContent.trim() : '';
    if (node) node.setAttribute('data-nnlib-widget', String(found.length));
    found.push({{cell: index, pending: !!node && !view && !failed, text: text.slice(0, 300),
                 rendered: !!view && !failed}});
  }}
}});
return found;
"""

_JS_WIDGETS_SETTLED = _JS_WIDGETS.replace("return found;", "return found.every(w => !w.pending);")

# Every nnlib panel of the lesson: its figure image loaded, its status present.
_JS_PANELS = _JS_PANEL + """
return Array.from(panel(path).node.querySelectorAll('.nnlib-panel')).map(node => {
  const img = node.querySelector('.nnlib-figure img');
  const status = node.querySelector('.nnlib-status');
  return {image: !!img && img.complete && img.naturalWidth > 0, status: !!status,
          errors: Array.from(node.querySelectorAll(
            '.nnlib-figure [data-mime-type="application/vnd.jupyter.stderr"]'))
            .map(e => e.textContent.slice(0, 300))};
});
"""

# LaTeX that MathJax could not typeset stays on the page as raw TeX: "$$" or a command
# such as \frac (code spans and blocks aside), or an undefined one shown in red.
_JS_RAW_TEX = _JS_PANEL + r"""
const found = [];
panel(path).node.querySelectorAll('.jp-MarkdownOutput').forEach(md => {
  const copy = md.cloneNode(true);
  copy.querySelectorAll('code, pre').forEach(n => n.remove());
  const text = copy.textContent, m = text.match(/\$\$|\\[a-zA-Z]+/);
  if (m) found.push(text.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\s+/g, ' '));
});
return found;
"""

_JS_OPEN = _JS_PANEL + """
const app = window.jupyterapp;
await within(60, app.restored);
if (!panel(path)) await within(60, app.commands.execute('docmanager:open', {path, factory: 'Notebook'}));
return true;
"""

_JS_TAG = _JS_PANEL + """
panel(path).node.setAttribute('data-nnlib-lesson', path);
return true;
"""

# Close the lesson without a "save changes?" dialog, shutting its kernel down. The page
# can be reused only if nothing is left behind: no dialog, no other open document.
_JS_CLOSE = _JS_PANEL + """
const p = panel(path);
if (p) {
  p.context.model.dirty = false;
  await within(30, p.sessionContext.shutdown());
  p.dispose();
}
const app = window.jupyterapp;
return !!app && Array.from(app.shell.widgets('main')).length === 0
       && !document.querySelector('.jp-Dialog');
"""


def _js(body):
    """Wrap a function body taking ``path`` for page.evaluate / wait_for_function."""
    # wait_for_function needs a plain function: a Promise would count as truthy at once.
    prefix = "async " if "await " in body else ""
    return f"{prefix}(path) => {{ {body} }}"


class PagePool:
    """One JupyterLab page, reused from lesson to lesson while it stays clean.

    Loading JupyterLab takes seconds; opening a notebook in an already loaded page does
    not. A page a lesson leaves in doubt (a failure, a dialog) is closed, not reused.
    """

    def __init__(self, context, lab):
        self.context, self.lab, self.page, self.fresh = context, lab, None, True
        self.page_errors, self.console_errors = [], []

    def get(self):
        if self.page is None or self.page.is_closed():
            self.page = self.context.new_page()
            self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
            self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
            self.fresh = True
        else:
            self.fresh = False
        self.page_errors.clear()
        self.console_errors.clear()
        return self.page

    def discard(self):
        if self.page is not None and not self.page.is_closed():
            self.page.close()
        self.page = None


class Lesson:
    """A lesson open in JupyterLab; ``root`` is the locator of its notebook panel."""

    def __init__(self, pool, name, screenshots, taken):
        self.pool, self.lab, self.name, self.screenshots = pool, pool.lab, name, screenshots
        self.taken = taken  # list of the screenshots saved, for the run's summary
        self.stem = Path(name).stem
        self.page = pool.get()
        self.page_errors, self.console_errors = pool.page_errors, pool.console_errors
        self.root = self.page.locator(f'[data-nnlib-lesson="{name}"]')
        self.run_result = None

    def js(self, body):
        return self.page.evaluate(_js(body), self.name)

    def wait(self, body, timeout, what):
        try:
            self.page.wait_for_function(_js(body), arg=self.name, timeout=timeout, polling=200)
        except Exception as e:
            self.screenshot("failure")
            raise AssertionError(f"{self.name}: timed out after {timeout / 1000:.0f} s waiting for {what}."
                                 f"{self.diagnostics()}") from e

    def open(self):
        if self.pool.fresh:
            # A new workspace, reset, so nothing restores tabs from an earlier run.
            url = (f"{self.lab.url}/lab/workspaces/browser-tests/tree/{self.name}"
                   f"?reset&token={self.lab.token}")
            self.page.goto(url, wait_until="domcontentloaded")
            self.wait("const app = window.jupyterapp; return !!(app && app.commands"
                      " && app.commands.hasCommand('docmanager:open'));", PAGE_TIMEOUT, "JupyterLab to load")
        self.js(_JS_OPEN)
        self.wait(_JS_KERNEL_READY, PAGE_TIMEOUT, "the notebook to open with a connected, idle kernel")
        self.js(_JS_TAG)
        self.js(_JS_RECORD)
        return self

    def run_all(self):
        self.js(_JS_RUN_ALL)
        self.wait(_JS_RUN_DONE, RUN_TIMEOUT, "all cells to run and the kernel to be idle")
        self.run_result = self.page.evaluate("() => window.__nnlibRunAll")
        return self

    def kernel_errors(self):
        return self.page.evaluate("() => window.__nnlibKernelErrors || []")

    def cells(self):
        return self.js(_JS_CELL_REPORT)

    def widgets(self):
        """The widgets the cells display, once each has rendered or failed to."""
        try:
            self.page.wait_for_function(_js(_JS_WIDGETS_SETTLED), arg=self.name,
                                        timeout=RETRAIN_TIMEOUT, polling=200)
        except Exception:
            pass  # the caller reports the widgets still pending
        return self.js(_JS_WIDGETS)

    def raw_tex(self):
        """Text around LaTeX left untypeset, once MathJax had time to typeset it."""
        try:
            self.page.wait_for_function(_js(_JS_RAW_TEX.replace("return found;", "return !found.length;")),
                                        arg=self.name, timeout=MATH_TIMEOUT, polling=250)
        except Exception:
            pass  # the caller reports what is left
        return self.js(_JS_RAW_TEX)

    def widget(self, n):
        """Locator of the n-th widget output (after ``widgets()`` tagged them)."""
        return self.root.locator(f'[data-nnlib-widget="{n}"]')

    def panels(self):
        """The lesson's nnlib panels, once each shows its figure (or the wait ran out)."""
        try:
            self.page.wait_for_function(_js(_JS_PANELS.replace("return Array", "const all = Array")
                                            + "return all.every(p => p.image);"),
                                        arg=self.name, timeout=RETRAIN_TIMEOUT, polling=200)
        except Exception:
            pass  # the caller reports the panels without a figure
        return self.js(_JS_PANELS)

    def wait_idle(self):
        self.wait(_JS_KERNEL_READY, RETRAIN_TIMEOUT, "the kernel to be idle")

    def screenshot(self, label, locator=None):
        """Save a PNG named after the lesson and ``label``; return its path."""
        path = self.screenshots / f"{self.stem}-{label}.png"
        try:
            if locator is None:
                self.page.screenshot(path=path)
            else:
                locator.scroll_into_view_if_needed()
                locator.screenshot(path=path)
        except Exception:  # a screenshot is a help for people, never the failure itself
            return None
        self.taken.append(path)
        return path

    def diagnostics(self):
        parts = []
        try:
            parts += [f"  kernel {e['type']} (from {e['parent']}): {e['text'].strip()[:500]}"
                      for e in self.kernel_errors()]
        except Exception:
            pass
        parts += [f"  page error: {e[:300]}" for e in self.page_errors[:5]]
        parts += [f"  console error: {e[:300]}" for e in self.console_errors[:5]]
        if parts:
            return "\n" + "\n".join(parts)
        return ""

    def close(self, passed):
        clean = False
        try:
            clean = bool(self.js(_JS_CLOSE))
        except Exception:
            pass
        finally:
            self.lab.shutdown_kernels(self.name)
            if not (clean and passed):
                self.pool.discard()


# ---- accessibility: axe-core over a page ------------------------------------------------

# Run axe-core over the whole page and sort each violation's elements into nnlib's own
# output (cell outputs and nnlib panels) and the rest (JupyterLab or Voila themselves,
# and the lesson's own text in its markdown cells). One case is set apart: a figure a
# cell shows (plt.show()) is drawn by JupyterLab's image renderer, which never gives an
# <img> an alt text (the sentence after every figure describes it instead); inside an
# nnlib panel the picture is nnlib's, and counts as nnlib's.
_JS_AXE = """
async (include) => {
  const context = include ? {include: include.map(sel => [sel])} : document;
  const results = await axe.run(context, {resultTypes: ['violations'], elementRef: true});
  const found = [];
  for (const v of results.violations) {
    for (const n of v.nodes) {
      const el = n.element;
      const where = !el ? 'page'
        : el.closest('.nnlib-panel') ? 'nnlib'
        : (v.id === 'image-alt' && el.closest('.jp-OutputArea .jp-RenderedImage')) ? 'figure renderer'
        : el.closest('.jp-OutputArea') ? 'nnlib'
        : el.closest('.jp-MarkdownOutput') ? 'lesson text' : 'page';
      found.push({rule: v.id, impact: v.impact || 'minor', help: v.help, where,
                  target: JSON.stringify(n.target), html: (n.html || '').slice(0, 200)});
    }
  }
  return found;
}
"""

SERIOUS = ("serious", "critical")


# The part of a lesson's page that is nnlib's own: the cells' outputs (panels included).
LESSON_PARTS = [".jp-OutputArea"]


def axe_violations(page, include=None):
    """Every element axe-core finds in violation on ``page`` (or only inside the CSS
    selectors ``include``): rule, impact, where, target."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    return page.evaluate(_JS_AXE, include)


def describe_violations(found):
    return "\n".join(f"  {v['impact']} {v['rule']} ({v['help']}): {v['target']} {v['html']}" for v in found)
