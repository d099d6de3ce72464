"""评 Assessment: counts per unit and period, the three rates and the graded ranking (A2–A4)."""
