"""Documents made from credit data: transcripts (PDF, CSV), progress charts, certificate reading.

Pure and synchronous: plain data in, bytes or dataclasses out, no clock, no I/O beyond
reading bundled fonts. The PDF, chart and certificate functions are CPU-bound (tens of
milliseconds to a second), so async callers run them with ``asyncio.to_thread``.
Import the submodules directly: this package does not import reportlab, Pillow or pypdf
until a renderer is used.
"""
