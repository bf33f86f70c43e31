#!/usr/bin/env python3
"""The lecture view of one notebook (``make present NB=03``), ready before anyone opens it.

    python scripts/present.py notebooks/03_vanishing_gradients.ipynb [--pool-size 2] [--no-browser]

Plain ``voila notebook.ipynb`` runs every cell when the page is opened, so the room waits
(20-60 s for the longer notebooks). This starts Voilà with pre-heated kernels
(``VoilaConfiguration.preheat_kernel``, ``default_pool_size``): it runs the notebook in
``pool-size`` kernels at once, and prints ``Ready: <url>`` only when all of them have run
every cell. Opening the page then takes a kernel that has finished: figures drawn, sliders
answering. The default pool of 2 covers the first opening and one more (a refresh, a second
screen). A kernel taken is not replaced: Voilà would replace it at once, running the whole
notebook again in the background while the lecture drags its sliders, and on a two-core laptop
that doubles the time a slider takes. Later openings run the notebook first, as plain Voilà does.

Every other setting is Voilà's own and comes from jupyter-config/ (the lecture template,
tracebacks, culling of kernels no page is connected to; pooled kernels are never culled).
Other arguments go to Voilà unchanged, e.g. ``--port=8870``.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from voila.app import Voila


class LectureView(Voila):
    """Voilà that reports when its pool of pre-heated kernels has run the whole notebook."""

    open_when_ready = False
    started_at = 0.0

    def start(self):
        asyncio.get_event_loop().create_task(self._announce_when_ready())
        super().start()

    def _pools(self) -> list:
        # Voilà keeps one list of pending kernels per notebook; each finishes as
        # {"kernel_id", "renderer", "task"}, and the task ends when every cell has run.
        return [item for pool in getattr(self.kernel_manager, "_pools", {}).values() for item in pool]

    async def _announce_when_ready(self) -> None:
        while True:
            items = self._pools()
            if items and all(item.done() for item in items) \
                    and all(item.result()["task"].done() for item in items if not item.exception()):
                break
            await asyncio.sleep(0.2)
        # the pool is full: from now on a kernel taken is not replaced (see the module's docstring)
        self.kernel_manager.fill_if_needed = lambda *args, **kwargs: None
        failed = [item.exception() for item in items if item.exception()]
        seconds = time.monotonic() - self.started_at
        if failed:
            self.log.error("A pre-heated kernel failed to start: %s", failed[0])
        print(f"\nReady ({len(items)} kernels ran the notebook in {seconds:.0f} s): {self.display_url}\n"
              f"The first {len(items)} openings of the page are instant; later ones run the notebook first.\n",
              flush=True)
        if self.open_when_ready:
            self.launch_browser()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--pool-size", type=int, default=2,
                        help="kernels kept ready (default 2: the first opening and a refresh)")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL when ready")
    args, voila_args = parser.parse_known_args(argv)
    voila_args = [a for a in voila_args if a != "--"]
    if not args.notebook.is_file():
        parser.error(f"notebook must be an existing .ipynb file, got {args.notebook}")
    if args.pool_size < 1:
        parser.error(f"--pool-size must be 1 or more, got {args.pool_size}")
    app = LectureView()
    app.started_at = time.monotonic()
    app.open_when_ready = not args.no_browser
    app.initialize([str(args.notebook), "--no-browser", "--VoilaConfiguration.preheat_kernel=True",
                    f"--VoilaConfiguration.default_pool_size={args.pool_size}", *voila_args])
    app.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
