"""A 天擎 / CIMISS (MUSIC) compatible façade over the observations, at ``/music-ws/api``.

A script written for 天擎 (for example nmc_met_io's ``retrieve_cmadaas``) works against qixiang
once its host, ``userId`` and password are changed:

- :mod:`.signing` — the request signature (uppercase MD5 over the sorted ``k=v`` parameters with
  the password), the timestamp window and the nonce that may be used once;
- :mod:`.credentials` — a ``userId`` and its secret, issued per user and tied to an API key;
- :mod:`.fields` — the field vocabulary (``Station_Id_C``, ``Lat``, ``Datetime``, ``TEM``,
  ``Q_TEM`` ...) with Chinese names and units;
- :mod:`.request` — the interfaces (``getSurfEleByTime`` ...) and their parameters, read
  case-insensitively, as a :class:`~qixiang.dataservice.query.Selection`;
- :mod:`.table` — values to rows of strings, with missing-value codes, ``eleValueRanges``,
  ``orderby`` and ``limitCnt``;
- :mod:`.render` — the documented answer (``returnCode``, ``rowCount``, ``fieldNames``, ``DS``
  ...) as JSON, XML, CSV or tab-separated text;
- :mod:`.views` — the endpoint: verify, authorize, read, render, stamp provenance.
"""
