# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The production files: docker-compose.yml parsed by Debian's
docker-compose (``config`` needs no engine), the Dockerfile's steps, the
gunicorn and logging settings, and the README's Production section."""
import configparser
import json
import os
import runpy
import shutil
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which('docker-compose')


def compose(*args, **environ):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('POSTGRES_', 'HOUSING_', 'GUNICORN_'))}
    env.update(environ)
    return subprocess.run(
        [COMPOSE, '--project-directory', str(ROOT),
            '-f', str(ROOT / 'docker-compose.yml'), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def as_json(text):
    "The YAML of docker-compose config as data, by docker-compose's Python"
    interpreter = Path(COMPOSE).read_text().splitlines()[0][2:].strip()
    result = subprocess.run([*interpreter.split(), '-c',
            'import json, sys, yaml; '
            'print(json.dumps(yaml.safe_load(sys.stdin)))'],
        input=text, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@unittest.skipUnless(COMPOSE,
    "Debian's docker-compose is needed: apt-get install docker-compose")
class ComposeTestCase(unittest.TestCase):
    "docker-compose.yml"

    def config(self, **environ):
        result = compose('config', **environ)
        self.assertEqual(result.returncode, 0, result.stderr)
        return as_json(result.stdout)

    def test_services(self):
        "PostgreSQL, gunicorn with workers, the queue worker and cron"
        config = self.config(POSTGRES_PASSWORD='secret')
        services = config['services']
        self.assertEqual(set(services), {
                'postgres', 'trytond', 'trytond-worker', 'trytond-cron',
                'admin'})
        web = services['trytond']
        self.assertEqual(web['command'][0], 'gunicorn')
        self.assertEqual(web['command'][-1], 'trytond.application:app')
        self.assertEqual(web['environment']['GUNICORN_WORKERS'], '4')
        self.assertEqual(web['ports'][0]['host_ip'] if isinstance(
                web['ports'][0], dict) else web['ports'][0].split(':')[0],
            '127.0.0.1')
        for name in ['trytond', 'trytond-worker', 'trytond-cron', 'admin']:
            environment = services[name]['environment']
            self.assertEqual(environment['TRYTOND_DATABASE__URI'],
                'postgresql://tryton:secret@postgres:5432/', name)
            self.assertEqual(
                environment['TRYTOND_DATABASE_NAMES'], 'housing', name)
            self.assertEqual(
                environment['TRYTOND_QUEUE__WORKER'], 'True', name)
            self.assertIn('TRYTOND_EMAIL__URI', environment)
            self.assertEqual(services[name]['depends_on']['postgres'],
                {'condition': 'service_healthy'})
        self.assertEqual(services['trytond-worker']['command'][0],
            'trytond-worker')
        self.assertEqual(services['trytond-cron']['command'][0],
            'trytond-cron')
        self.assertEqual(set(config['volumes']),
            {'pgdata', 'filestore', 'logs'})

    def test_settings_from_environment(self):
        "The .env's values reach the services"
        config = self.config(POSTGRES_PASSWORD='p', HOUSING_DATABASE='tsj',
            GUNICORN_WORKERS='8',
            TRYTOND_EMAIL__URI='smtps://u:p@smtp.example.ru:465')
        services = config['services']
        self.assertEqual(
            services['trytond']['environment']['GUNICORN_WORKERS'], '8')
        self.assertEqual(services['trytond-worker']['command'][-3:],
            ['tsj', '-n', '2'])
        self.assertEqual(services['trytond-cron']['environment'][
                'TRYTOND_EMAIL__URI'], 'smtps://u:p@smtp.example.ru:465')

    def test_password_required(self):
        "Without POSTGRES_PASSWORD the file does not start"
        result = compose('config')
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('set POSTGRES_PASSWORD', result.stderr)


class ImageTestCase(unittest.TestCase):
    "Dockerfile and the files it copies"

    def test_dockerfile(self):
        "Pinned install, sao from the npm registry, existing sources"
        text = (ROOT / 'Dockerfile').read_text()
        self.assertIn(
            "pip install --no-cache-dir -c constraints.txt '.[production]'",
            text)
        self.assertIn('npm pack --silent "tryton-sao@${SAO_VERSION}"', text)
        self.assertIn('ARG SAO_VERSION=8.0', text)
        for line in text.splitlines():
            if line.startswith('COPY ') and '--from' not in line:
                for source in line.split()[1:-1]:
                    self.assertTrue((ROOT / source).exists(), source)

    def test_gunicorn_settings(self):
        "ops/gunicorn.conf.py reads its workers from the environment"
        os.environ['GUNICORN_WORKERS'] = '6'
        try:
            settings = runpy.run_path(str(ROOT / 'ops' / 'gunicorn.conf.py'))
        finally:
            del os.environ['GUNICORN_WORKERS']
        self.assertEqual(settings['workers'], 6)
        self.assertEqual(settings['bind'], '0.0.0.0:8000')

    def test_logging_settings(self):
        "ops/logging.conf: the output and the rotated file"
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(ROOT / 'ops' / 'logging.conf')
        self.assertEqual(parser['logger_root']['handlers'], 'stderr,file')
        self.assertIn('/var/log/trytond/trytond.log',
            parser['handler_file']['args'])

    def test_readme(self):
        "The README's Production section covers what an administrator does"
        readme = (ROOT / 'README.md').read_text()
        section = readme[readme.index('## Production'):]
        for words in ['### First start', 'trytond-admin', '--activate-dep',
                'nginx', 'proxy_pass http://127.0.0.1:8000',
                'TRYTOND_EMAIL__URI', 'SMS', '### Log files',
                'ops/backup.sh', 'ops/restore.sh', '### Upgrades']:
            self.assertIn(words, section)
