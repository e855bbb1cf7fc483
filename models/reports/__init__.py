"""Outputs people open: Excel workbook, HTML report, calendars, daily WFA report templates.

Every writer takes the resolved `Problem`, a `Roster` and its `Evaluation` (from the
independent checker), so a solved or a hand-checked roster is reported the same way, and a
language (`id`, Bahasa Indonesia, by default; or `en`).
"""
