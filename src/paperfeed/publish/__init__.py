"""Everything a digest becomes: one view model (``view``), one Jinja environment factory
(``environment``, templates per target in ``templates/{digest,email,site,web}/``), one math
helper module (``mathtext``), one definition per kind of element id (``anchors``), and the
formats, e-mail, chat payloads, feeds and static site made with them."""
