"""接 Intake: take every request and record it in full (I1, I2); answer directly or refer (I4, I5)."""
