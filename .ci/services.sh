#!/usr/bin/env bash
# Starts PostgreSQL and MariaDB on loopback for diag/newapi's database tests,
# with a test user and database. Idempotent: run it again and it only checks.
# Needs root (CI runs as root) and Debian's packages, installed here with apt-get.
#
# Connection info (the tests use these unless the variables are already set):
#   NEWAPI_DOCTOR_TEST_PG_DSN=postgres://newapi_doctor:newapi_doctor@127.0.0.1:5432/newapi_doctor?sslmode=disable
#   NEWAPI_DOCTOR_TEST_MYSQL_DSN=newapi_doctor:newapi_doctor@tcp(127.0.0.1:3306)/newapi_doctor
# They are also written to $NEWAPI_DOCTOR_SERVICES_ENV (default /tmp/newapi-doctor-services.env)
# for `source`.
set -euo pipefail

USER_NAME=newapi_doctor
PASS=newapi_doctor
DB=newapi_doctor
ENV_FILE=${NEWAPI_DOCTOR_SERVICES_ENV:-/tmp/newapi-doctor-services.env}

log() { echo "services.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (installs packages, starts servers)"
	exit 1
fi

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

wait_for() { # wait_for NAME CMD...
	local name=$1
	shift
	for _ in $(seq 1 60); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	log "$name did not come up"
	return 1
}

# --- PostgreSQL: the packaged cluster, listening on loopback only.
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$PGVER main$"; then
	pg_createcluster "$PGVER" main >/dev/null
fi
PGCONF=/etc/postgresql/$PGVER/main/postgresql.conf
grep -q "^listen_addresses = '127.0.0.1'" "$PGCONF" || echo "listen_addresses = '127.0.0.1'" >>"$PGCONF"
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $4}' | grep -q online; then
	log "starting PostgreSQL $PGVER"
	pg_ctlcluster "$PGVER" main start
fi
PGPORT=$(pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $3}')
wait_for PostgreSQL runuser -u postgres -- psql -p "$PGPORT" -Atc 'select 1'
psql_root() { runuser -u postgres -- psql -p "$PGPORT" -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ "$(psql_root -c "select 1 from pg_roles where rolname='$USER_NAME'")" != 1 ]; then
	psql_root -c "create role $USER_NAME login password '$PASS'"
fi
if [ "$(psql_root -c "select 1 from pg_database where datname='$DB'")" != 1 ]; then
	psql_root -c "create database $DB owner $USER_NAME"
fi

# --- MariaDB: the packaged datadir, a server bound to loopback.
if ! mariadb -uroot -e 'select 1' >/dev/null 2>&1; then
	if [ ! -d /var/lib/mysql/mysql ]; then
		mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
	fi
	install -d -o mysql -g mysql /run/mysqld
	log "starting MariaDB"
	# setsid: the server outlives this script and is not in its process group.
	setsid mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=127.0.0.1 --port=3306 \
		--socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
		>/tmp/newapi-doctor-mariadb.log 2>&1 </dev/null &
	wait_for MariaDB mariadb -uroot -e 'select 1'
fi
mariadb -uroot <<SQL
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASS';
CREATE USER IF NOT EXISTS '$USER_NAME'@'localhost' IDENTIFIED BY '$PASS';
CREATE DATABASE IF NOT EXISTS \`$DB\` CHARACTER SET utf8mb4;
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$USER_NAME'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$USER_NAME'@'localhost';
GRANT ALL PRIVILEGES ON \`${DB}\_%\`.* TO '$USER_NAME'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`${DB}\_%\`.* TO '$USER_NAME'@'localhost';
FLUSH PRIVILEGES;
SQL

PG_DSN="postgres://$USER_NAME:$PASS@127.0.0.1:$PGPORT/$DB?sslmode=disable"
MYSQL_DSN="$USER_NAME:$PASS@tcp(127.0.0.1:3306)/$DB"
cat >"$ENV_FILE" <<EOF
export NEWAPI_DOCTOR_TEST_PG_DSN='$PG_DSN'
export NEWAPI_DOCTOR_TEST_MYSQL_DSN='$MYSQL_DSN'
EOF
log "PostgreSQL: $PG_DSN"
log "MariaDB:    $MYSQL_DSN"
log "wrote $ENV_FILE"
