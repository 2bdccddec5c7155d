"""The servers of the browser tests, isolated from the user's own Jupyter setup.

``Lab``, JupyterLab, runs from the project's venv on 127.0.0.1, a free port and a random
token, on a temporary copy of the lessons (so autosave can never touch the committed
files), with its own config, data, settings, workspace and runtime directories, news
and update checks off, autosave off; ``stop`` shuts it down through its API.
``Voila`` serves the standalone playground (``app/playground.ipynb``) the same way.
"""

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP_NOTEBOOK = REPO / "app" / "playground.ipynb"
PLAYGROUND_NOTEBOOK = "playground.ipynb"  # its name in the copies JupyterLab and Voila serve
APP_TEMPLATES, APP_TEMPLATE = REPO / "app" / "share", "nnlib"  # Voila's page template for it


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def _python():
    venv_python = REPO / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def _isolated_env(base):
    """The environment of a server with its own Jupyter config, data, runtime and settings
    folders under ``base``, so nothing of the user's own Jupyter setup applies."""
    dirs = {name: base / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PREFER_ENV_PATH="1", PYTHONUNBUFFERED="1",
    )
    env.pop("MPLBACKEND", None)
    return env, dirs


class Lab:
    """A running JupyterLab server: ``url``, ``token``, ``root`` (the notebooks copy)."""

    def __init__(self, base, notebooks):
        self.base, self.notebooks = base, notebooks
        self.root = base / "notebooks"
        self.log_path = base / "server.log"
        self.token = secrets.token_hex(24)
        self.process = None
        self.url = None

    def start(self):
        shutil.copytree(self.notebooks, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # The standalone playground's notebook too (not a lesson: no NN_ prefix), for the
        # playground's own test: one Playground() without the rest of lesson 6 to run first.
        shutil.copy(APP_NOTEBOOK, self.root / PLAYGROUND_NOTEBOOK)
        env, dirs = _isolated_env(self.base)
        settings = dirs["settings"] / "@jupyterlab"
        _write_json(settings / "docmanager-extension" / "plugin.jupyterlab-settings", {"autosave": False})
        _write_json(settings / "apputils-extension" / "notification.jupyterlab-settings",
                    {"checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True})
        _write_json(settings / "extensionmanager-extension" / "plugin.jupyterlab-settings", {"enabled": False})
        # Render every cell, not only those scrolled into view, so all outputs can be checked.
        _write_json(settings / "notebook-extension" / "tracker.jupyterlab-settings", {"windowingMode": "none"})

        def command(port):
            cmd = [
                _python(), "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}", "--ServerApp.terminals_enabled=False",
                "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
                "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
                # window.jupyterapp lets the tests read kernel and cell state exactly.
                "--LabApp.expose_app_in_browser=True",
            ]
            if os.geteuid() == 0:  # CI containers run as root
                cmd.append("--allow-root")
            return cmd

        return self._launch(command, env, cwd=self.root, ready_path="/api/status")

    def _launch(self, command, env, cwd, ready_path):
        """Start ``command(port)`` on a free port and wait until ``ready_path`` answers."""
        for attempt in range(3):  # the free port can be taken between finding and binding it
            port = _free_port()
            self.url = f"http://127.0.0.1:{port}"
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(command(port), cwd=cwd, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if self._wait_ready(ready_path, timeout=60):
                return self
            if self.process.poll() is None:
                break
        self.stop()
        raise RuntimeError(f"{type(self).__name__} did not answer on {self.url}{ready_path}:\n{self.log_tail()}")

    def _wait_ready(self, path, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if self.request(path)[0] == 200:
                    return True
            except (OSError, http.client.HTTPException):
                # Not up yet, or not ours: a kernel started beside the tests may have taken
                # the port first and answers in its own protocol (ZeroMQ); the server then
                # fails to bind and exits, and _launch tries another port.
                pass
            time.sleep(0.2)
        return False

    def request(self, path, method="GET", token=True, headers=None, body=None):
        """(status, parsed JSON body or text) of an HTTP request to the server."""
        headers = dict(headers or {})
        if token is True:
            headers["Authorization"] = f"token {self.token}"
        elif token:
            headers["Authorization"] = f"token {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode(errors="replace")
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def shutdown_kernels(self, path=None):
        """Shut down the sessions (and their kernels) of one notebook, or all of them."""
        status, sessions = self.request("/api/sessions")
        for s in sessions if status == 200 else []:
            if path is None or s.get("path") == path:
                self.request(f"/api/sessions/{s['id']}", method="DELETE")

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        """Ask the server to stop, then make sure it and its kernels did; return the
        processes that outlived it."""
        if self.process is None or self.process.poll() is not None:
            return []
        import psutil  # a dependency of ipykernel, so always next to JupyterLab

        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self._ask_to_stop()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        return alive

    def _ask_to_stop(self):
        """JupyterLab shuts down cleanly through its API."""
        try:
            self.request("/api/shutdown", method="POST")
        except OSError:
            pass


class Voila(Lab):
    """The standalone playground (``make playground``): Voila on 127.0.0.1, a free port and
    a random token, serving a copy of ``app/playground.ipynb``; ``url`` is its page."""

    def __init__(self, base, notebook):
        super().__init__(base, notebook)
        self.root = base / "app"
        self.page_path = "/"

    def start(self):
        self.root.mkdir()
        shutil.copy(self.notebooks, self.root / PLAYGROUND_NOTEBOOK)
        env, _ = _isolated_env(self.base)
        env["JUPYTER_PATH"] = str(APP_TEMPLATES)  # the page's template, as `make playground` finds it

        def command(port):
            # The same server as `make playground`, on its own port, with a token we know,
            # and a failing cell's traceback shown on the page, for the test to report.
            return [_python(), "-m", "voila", "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
                    "--Voila.port_retries=0", f"--token={self.token}", "--show_tracebacks=True",
                    f"--template={APP_TEMPLATE}",
                    str(self.root / PLAYGROUND_NOTEBOOK)]

        # A static file answers once the server is up; the page itself would start a kernel.
        return self._launch(command, env, cwd=self.root, ready_path="/voila/static/voila.js")

    def page_url(self):
        return f"{self.url}/?token={self.token}"

    def _ask_to_stop(self):
        """Voila has no shutdown API: SIGTERM makes it shut its kernels down and exit."""
        self.process.terminate()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
