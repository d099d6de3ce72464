"""The deployment: one city's units, dispatch catalogue and policies (O1, O2, D1, D6).

Everything that differs between Beijing, Hohhot or any other city lives in
the city configuration file, validated at start; no city is named in code.
"""
