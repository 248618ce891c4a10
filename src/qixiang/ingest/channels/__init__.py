"""The ways observations come in besides the command line: the message bus (in-process or MQTT),
a watched folder and HTTP upload (:mod:`qixiang.ingest.api`). Each hands bytes to
:mod:`qixiang.ingest.pipeline` with its channel name, so the counts say where data came from."""
