"""Services: what istui computes or moves (KPIs, queue, import/export, demo data, handoff sheets)."""
