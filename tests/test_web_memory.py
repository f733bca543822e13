"""The web process serves for months on a small board: page views must not grow it."""

from support import Browserless, rss_mb, start_web, web_pid


def test_page_views_do_not_grow_the_web_process(tmp_path):
    """Found by `./dev bench --soak-day`: every page view compiled its template
    anew and kept it (17-35 kB a view: 20 MB on a busy day, without end)."""
    with start_web(tmp_path) as url:
        browser, pid = Browserless(url), web_pid(tmp_path)
        for _ in range(100):  # warm: templates compiled, threads and connections made
            assert browser.get("/login")[0] == 200
        before = rss_mb(pid)
        for _ in range(400):
            browser.get("/login")
        grown = rss_mb(pid) - before
    assert grown < 2.5, f"400 page views grew the web process by {grown:.1f} MB"
