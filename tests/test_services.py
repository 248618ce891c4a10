"""The test servers start and answer: PostgreSQL takes a query, Mosquitto a connection."""

import psycopg


def test_postgres_server_answers_a_query(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_mosquitto_broker_accepts_a_publish(mosquitto_port):
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", mosquitto_port)
    info = client.publish("qixiang/test", b"x", qos=1)
    client.loop_start()
    info.wait_for_publish(5)
    client.loop_stop()
    assert info.is_published()
