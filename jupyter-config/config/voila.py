# Voilà settings for `make present NB=03` (the lecture view) and the browser tests.
# Loaded because the Makefile puts this folder on JUPYTER_CONFIG_PATH.

# jupyter-config/data/voila/templates/lecture: Voilà's lab template with larger type, larger demo
# figures, and no Font Awesome stylesheets from cdn.jsdelivr.net.
c.VoilaConfiguration.template = "lecture"
# If a cell fails during a lecture, show what failed rather than "There was an error".
c.VoilaConfiguration.show_tracebacks = True
c.Voila.ip = "127.0.0.1"

# Voilà asks the server to shut a page's kernel down when the page is closed or reloaded, but in
# Voilà 0.5 that request is refused ("'_xsrf' argument missing from POST", 403), so every reload
# would leave a kernel running (~150 MB each). Cull kernels that no page is connected to after
# 5 idle minutes; a kernel whose page is open is never culled, however long the lecture pauses.
# `make present` (scripts/present.py) adds two pre-heated kernels that have run the notebook before
# the page is opened; Voilà never culls a kernel still waiting in its pool, so they stay ready however
# long the wait before class. Pre-heating is not switched on here: `voila notebooks/` (every notebook)
# would pre-heat a pool for each of them at once.
c.MappingKernelManager.cull_idle_timeout = 300
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
