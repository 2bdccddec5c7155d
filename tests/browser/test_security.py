"""The JupyterLab server the browser tests start: it refuses anyone without its token,
listens on 127.0.0.1 only, and works on a copy of the lessons with autosave off."""

import socket

import pytest

from .conftest import NOTEBOOKS
from .lab_server import PLAYGROUND_NOTEBOOK

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/api/status", "/api/contents", "/api/kernels", "/api/sessions"])
def test_api_refuses_requests_without_the_token(lab, path):
    assert lab.request(path)[0] == 200, f"{path} fails even with the token"
    assert lab.request(path, token=False)[0] == 403
    assert lab.request(path, token="0" * len(lab.token))[0] == 403


def test_cannot_start_a_kernel_or_read_a_lesson_without_the_token(lab):
    name = sorted(p.name for p in lab.root.glob("*.ipynb"))
    status, body = lab.request("/api/kernels", method="POST", token=False, body={"name": "python3"})
    assert status == 403, f"a kernel was started without the token: {body}"
    status, kernels = lab.request("/api/kernels")
    assert status == 200 and kernels == [], f"kernels running after refused requests: {kernels}"
    if name:
        status, _ = lab.request(f"/api/contents/{name[0]}", token=False)
        assert status == 403
        assert lab.request(f"/files/{name[0]}", token=False)[0] in (302, 403)


def test_lab_page_sends_strangers_to_the_login_page(lab):
    status, _ = lab.request("/lab", token=False)
    assert status == 302, f"/lab without the token answered {status}, not a redirect to the login page"
    assert lab.request("/lab")[0] == 200


def test_token_is_random_and_server_listens_on_loopback_only(lab):
    assert len(lab.token) >= 32 and lab.token not in lab.url
    assert lab.url.startswith("http://127.0.0.1:")
    # The machine's own outward address (no packet is sent by connecting a UDP socket).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            outward = s.getsockname()[0]
        except OSError:
            outward = None
    if outward is None or outward.startswith("127."):
        return  # no other interface to try
    port = int(lab.url.rsplit(":", 1)[1])
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((outward, port)) != 0, f"the server answers on {outward}:{port}, not only 127.0.0.1"


def test_server_runs_on_a_copy_with_autosave_news_and_updates_off(lab):
    assert lab.root.resolve() != NOTEBOOKS and NOTEBOOKS not in lab.root.resolve().parents
    status, listing = lab.request("/api/contents")
    assert status == 200
    # The lessons, and the standalone playground's notebook for test_playground.py.
    assert {f["name"] for f in listing["content"] if f["type"] == "notebook"} == \
        {p.name for p in NOTEBOOKS.glob("*.ipynb")} | {PLAYGROUND_NOTEBOOK}
    _, docmanager = lab.request("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    assert docmanager["settings"]["autosave"] is False
    _, notification = lab.request("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert notification["settings"]["fetchNews"] == "false"
    assert notification["settings"]["checkForUpdates"] is False
    assert lab.request("/lab/api/news") == (200, {"news": []})
    assert lab.request("/lab/api/update") == (200, {"notification": None})
