# Server settings for `make lab`, `make present` and the browser tests: the course runs with no
# network. Loaded because the Makefile puts this folder on JUPYTER_CONFIG_PATH.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# JupyterLab's news feed and update check are fetched by the *server* from jupyterlab.github.io / PyPI:
# turn both off (the browser tests cannot see server-side requests, so they are off here, not just hidden).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
# The extension manager queries PyPI when its panel opens; "readonly" lists installed extensions only.
c.LabApp.extension_manager = "readonly"
# Settings overrides (no "get notified about Jupyter news?" popup, no update check, no extension
# manager panel) live in ../lab-settings/overrides.json.
c.LabApp.app_settings_dir = os.path.join(os.path.dirname(HERE), "lab-settings")
