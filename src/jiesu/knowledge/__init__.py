"""The knowledge base (知识库): articles units keep current, searched while operators type (I4, O2).

``articles`` is the workflow (draft → review → published, BJ Art. 31),
``search`` the in-memory Chinese index (jieba + BM25), ``reminders`` the
review-date reminders, ``api`` the staff and public endpoints, ``samples``
the generated articles of the demo and the benchmark.
"""
