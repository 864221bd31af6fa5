-- Every write to config and tokens notifies the channel switchboard_config
-- with '<kind>:<id>' ('token:<id>' for tokens; '*' when a table is
-- truncated), so that every node drops what it caches (postgres/notify.go).
-- A trigger notifies in the writing transaction whatever the statement
-- that wrote, and PostgreSQL delivers the notification only if that
-- transaction commits.
CREATE FUNCTION notify_config_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		PERFORM pg_notify('switchboard_config', '*');
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM pg_notify('switchboard_config', OLD.kind || ':' || OLD.id);
	ELSE
		PERFORM pg_notify('switchboard_config', NEW.kind || ':' || NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		PERFORM pg_notify('switchboard_config', '*');
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM pg_notify('switchboard_config', 'token:' || OLD.id);
	ELSE
		PERFORM pg_notify('switchboard_config', 'token:' || NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER config_notify AFTER INSERT OR UPDATE OR DELETE ON config
	FOR EACH ROW EXECUTE FUNCTION notify_config_change();
CREATE TRIGGER config_notify_truncate AFTER TRUNCATE ON config
	FOR EACH STATEMENT EXECUTE FUNCTION notify_config_change();
CREATE TRIGGER tokens_notify AFTER INSERT OR UPDATE OR DELETE ON tokens
	FOR EACH ROW EXECUTE FUNCTION notify_token_change();
CREATE TRIGGER tokens_notify_truncate AFTER TRUNCATE ON tokens
	FOR EACH STATEMENT EXECUTE FUNCTION notify_token_change();
