# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Helpers shared by the browser tests: a throw-away demo database on
SQLite, a trytond server on a free loopback port, a JSON-RPC client to
read back what the pages should show, and a headless chromium driven by
selenium.

Every trytond process gets the same settings twice, in a configuration
file written next to the database and in TRYTOND_* variables, and the
caller's TRYTOND_* variables and TRYTOND_CONFIG are dropped: trytond 8.0
lets a configuration file override the variables, while bench/generate.py
lets the variables override its --config file, so only settings given
both ways are sure to reach every process.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAO_ROOT = REPO_ROOT / 'var' / 'sao'
GENERATOR = REPO_ROOT / 'bench' / 'generate.py'
MODULE = 'housing_billing'

CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    ]


class SetupError(Exception):
    "Something the browser tests need is missing or did not start."


def free_port():
    "Return a TCP port of the loopback interface that is free right now."
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _script(name):
    "The console script of the running virtual environment, else of PATH."
    path = Path(sys.executable).parent / name
    if path.is_file():
        return [sys.executable, str(path)]
    found = shutil.which(name)
    if not found:
        raise SetupError('%s not found beside %s nor on PATH'
            % (name, sys.executable))
    return [found]


def tail(path, lines=40):
    try:
        text = Path(path).read_text(errors='replace')
    except OSError:
        return ''
    return '\n'.join(text.splitlines()[-lines:])


class Instance:
    """A directory holding one SQLite database and the settings of the
    trytond processes that work on it."""

    def __init__(self, directory, database='demo', web_root=SAO_ROOT):
        self.directory = Path(directory)
        self.database = database
        self.web_root = Path(web_root)
        self.port = None
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def config_file(self):
        return self.directory / 'trytond.conf'

    @property
    def database_file(self):
        return self.directory / ('%s.sqlite' % self.database)

    def settings(self):
        settings = {
            ('database', 'uri'): 'sqlite://',
            ('database', 'path'): str(self.directory),
            ('web', 'root'): str(self.web_root),
            }
        if self.port:
            settings['web', 'listen'] = '127.0.0.1:%s' % self.port
        return settings

    def write_config(self):
        sections = {}
        for (section, option), value in self.settings().items():
            sections.setdefault(section, []).append(
                '%s = %s' % (option, value))
        self.config_file.write_text(''.join(
                '[%s]\n%s\n\n' % (section, '\n'.join(lines))
                for section, lines in sections.items()))

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTON') and k not in {'DB_NAME', 'DB_CACHE'}}
        for (section, option), value in self.settings().items():
            env['TRYTOND_%s__%s' % (section.upper(), option.upper())] = value
        env.update(extra)
        return env

    def run(self, args, log_name, timeout, **extra_env):
        "Run a command to its end; raise SetupError with its log on failure."
        self.write_config()
        log = self.directory / log_name
        with open(log, 'wb') as output:
            try:
                result = subprocess.run(args, cwd=REPO_ROOT,
                    env=self.env(**extra_env), stdin=subprocess.DEVNULL,
                    stdout=output, stderr=subprocess.STDOUT,
                    timeout=timeout)
            except subprocess.TimeoutExpired:
                raise SetupError('%s did not finish in %s s; end of %s:\n%s'
                    % (' '.join(args), timeout, log, tail(log)))
        if result.returncode:
            raise SetupError('%s exited with %s; end of %s:\n%s'
                % (' '.join(args), result.returncode, log, tail(log)))

    def create(self, admin_password='admin', language='ru', timeout=300,
            modules=(MODULE,)):
        "Create the database and activate modules (housing_billing) on it."
        self.database_file.unlink(missing_ok=True)
        self.database_file.touch()
        passfile = self.directory / 'admin-password'
        passfile.write_text(admin_password + '\n')
        try:
            self.run(_script('trytond-admin') + [
                    '-c', str(self.config_file), '-d', self.database,
                    '-u', *modules, '--activate-dependencies',
                    '--language', language, '--email', 'admin@example.com'],
                'trytond-admin.log', timeout, TRYTONPASSFILE=str(passfile))
        finally:
            passfile.unlink(missing_ok=True)

    def generate(self, accounts, timeout=300):
        "Load the demo data of bench/generate.py."
        if not GENERATOR.is_file():
            raise SetupError('the demo data generator %s is missing'
                % GENERATOR)
        self.run([sys.executable, str(GENERATOR),
                '--config', str(self.config_file),
                '--database', self.database,
                '--accounts', str(accounts)],
            'generate.log', timeout)

    def create_demo(self, accounts, cache=None, **kwargs):
        """Create the database, activated with housing_billing and filled
        by the generator. With cache, a file path, the freshly activated
        database is copied from it when it exists, else saved there (the
        caller keys the path by the module's content); the generator always
        runs anew."""
        cache = Path(cache) if cache else None
        if cache and cache.is_file():
            shutil.copyfile(cache, self.database_file)
        else:
            self.create(**kwargs)
            if cache:
                cache.parent.mkdir(parents=True, exist_ok=True)
                partial = cache.with_name(cache.name + '.%s' % os.getpid())
                _backup(self.database_file, partial)
                os.replace(partial, cache)
        self.generate(accounts)

    def script(self, path, *args, timeout=300):
        "Run a script of bench/ with --config and --database; its output."
        log_name = '%s.log' % Path(path).stem
        self.run([sys.executable, str(REPO_ROOT / path),
                '--config', str(self.config_file),
                '--database', self.database, *args], log_name, timeout)
        return (self.directory / log_name).read_text()


def _backup(source, target):
    "Copy an SQLite database, with what its write-ahead log still holds."
    source = sqlite3.connect(source)
    try:
        target = sqlite3.connect(target)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


class Server:
    """A trytond server of an Instance, on a free port of 127.0.0.1.

    With preload (the default), the server loads the database's pool
    before it listens (TRYTOND_DATABASE_NAMES), as deployments do. Without
    it, trytond 8.0.12 never loads the pool when the first request on the
    database is a log-in: Transaction.start registers an empty pool
    (Cache.sync calls Pool()), so security.login takes the database for
    loaded and every log-in fails with KeyError 'res.user'."""

    def __init__(self, instance, preload=True):
        self.instance = instance
        self.preload = preload
        self.process = None
        self.log = instance.directory / 'trytond.log'

    @property
    def url(self):
        return 'http://127.0.0.1:%s/' % self.instance.port

    def start(self, timeout=60):
        self.instance.port = free_port()
        self.instance.write_config()
        with open(self.log, 'wb') as output:
            self.process = subprocess.Popen(
                _script('trytond') + ['-c', str(self.instance.config_file)],
                cwd=self.instance.directory, env=self.instance.env(
                    **({'TRYTOND_DATABASE_NAMES': self.instance.database}
                        if self.preload else {})),
                stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise SetupError('trytond exited with %s; end of %s:\n%s'
                    % (self.process.returncode, self.log, tail(self.log)))
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    response.read()
                break
            except urllib.error.HTTPError as error:
                self.stop()
                raise SetupError('trytond answered %s %s for %s: is [web] '
                    'root %s the web client?' % (error.code, error.reason,
                        self.url, self.instance.web_root))
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    self.stop()
                    raise SetupError(
                        'trytond did not answer on %s in %s s; end of %s:\n%s'
                        % (self.url, timeout, self.log, tail(self.log)))
                time.sleep(0.2)
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def login(self, login, password):
        "Return an RPC session of the user on the instance's database."
        return RPC(self, login, password)


class RPCError(Exception):
    pass


class RPC:
    "The JSON-RPC of trytond as the web client speaks it."

    def __init__(self, server, login, password):
        self.url = server.url + server.instance.database + '/rpc/'
        self.authorization = None
        self.context = {}
        user_id, session = self._call('common.db.login',
            login, {'password': password}, 'en')[:2]
        token = '%s:%s:%s' % (login, user_id, session)
        self.authorization = 'Session ' + base64.b64encode(
            token.encode()).decode()
        self.user_id = user_id
        self.context = self._call('model.res.user.get_preferences', True, {})

    def _call(self, method, *params):
        data = json.dumps(
            {'id': 1, 'method': method, 'params': params}).encode()
        request = urllib.request.Request(self.url, data=data,
            headers={'Content-Type': 'application/json'})
        if self.authorization:
            request.add_header('Authorization', self.authorization)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise RPCError('%s: HTTP %s %s' % (method, error.code,
                    error.read().decode(errors='replace')[:500])) from error
        if answer.get('error'):
            raise RPCError('%s: %s' % (method, answer['error']))
        return answer['result']

    def model(self, model, method, *params):
        "Call a model's method with the user's context added."
        return self._call('model.%s.%s' % (model, method),
            *params, self.context)


def find_chromium():
    "Return the paths of chromium and chromedriver, or raise SetupError."
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    chromedriver = shutil.which('chromedriver')
    if not (chromium and chromedriver):
        raise SetupError('chromium and chromedriver are needed for the '
            'browser tests: apt-get install chromium chromium-driver '
            '(./dev test does it when run as root)')
    return chromium, chromedriver


def start_chromium(user_data_dir, width=1400, height=900):
    """Start a headless chromium with chromedriver, both Debian's, never
    downloaded by Selenium Manager."""
    chromium, chromedriver = find_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument('--user-data-dir=%s' % user_data_dir)
    options.add_argument('--window-size=%s,%s' % (width, height))
    service = Service(chromedriver,
        log_output=str(Path(user_data_dir).parent / 'chromedriver.log'))
    return webdriver.Chrome(service=service, options=options)
