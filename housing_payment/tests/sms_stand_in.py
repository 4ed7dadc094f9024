# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""A stand-in for SMS.ru on loopback: /sms/send as its documentation
describes it (https://sms.ru/api/send), GET or POST, with json=1.

It keeps the messages it accepted; the numbers in ``refused`` get the
documented per-number error 207, a wrong api_id the request error 200."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BAD_API_ID = (200, "Неправильный api_id")
NO_TEXT = (203, "Нет текста сообщения")
BAD_NUMBER = (202, "Неправильно указан номер телефона получателя, либо на "
    "него нет маршрута")
REFUSED = (207, "На этот номер (или один из номеров) нельзя отправлять "
    "сообщения, либо указано более 100 номеров в списке получателей")


class SMSRuStandIn:

    def __init__(self, api_id):
        self.api_id = api_id
        self.messages = []
        self.refused = set()
        self.balance = 1000.0
        self._count = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                self.answer(url.path, url.query)

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get('Content-Length', 0))
                body = self.rfile.read(length).decode('utf-8')
                self.answer(url.path, body)

            def answer(self, path, query):
                if path != '/sms/send':
                    self.send_error(404)
                    return
                params = dict(urllib.parse.parse_qsl(query))
                data = json.dumps(stand_in.send(params)).encode('utf-8')
                self.send_response(200)
                self.send_header(
                    'Content-Type', 'application/json; charset=utf-8')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%s/sms/send' % self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def error(code_text):
        code, text = code_text
        return {'status': 'ERROR', 'status_code': code, 'status_text': text}

    def send(self, params):
        if params.get('api_id') != self.api_id:
            return self.error(BAD_API_ID)
        if not params.get('msg'):
            return self.error(NO_TEXT)
        answers = {}
        for phone in params.get('to', '').split(','):
            if not phone.isdigit() or len(phone) != 11:
                answers[phone] = self.error(BAD_NUMBER)
            elif phone in self.refused:
                answers[phone] = self.error(REFUSED)
            else:
                self._count += 1
                sms_id = '000000-%08d' % self._count
                self.messages.append({
                        'to': phone, 'msg': params['msg'],
                        'from': params.get('from'), 'id': sms_id})
                self.balance -= 2.5
                answers[phone] = {
                    'status': 'OK', 'status_code': 100, 'sms_id': sms_id}
        return {'status': 'OK', 'status_code': 100, 'sms': answers,
            'balance': round(self.balance, 2)}
