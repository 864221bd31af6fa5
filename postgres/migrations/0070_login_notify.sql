-- A login that ends before its time (a logout, a new password, a user
-- disabled or deleted) notifies switchboard_config with 'login:<user id>',
-- so that every node ends the live connections that login opened
-- (httpapi.Server.EndLogins). Logins that lapse, and the sweep that
-- deletes them later, notify nothing: a connection outlives its login's
-- expiry as it outlives a cookie's.
CREATE FUNCTION notify_login_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF OLD.revoked_at IS NULL AND OLD.expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint THEN
			PERFORM pg_notify('switchboard_config', 'login:' || OLD.user_id);
		END IF;
	ELSIF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
		PERFORM pg_notify('switchboard_config', 'login:' || NEW.user_id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER logins_notify AFTER UPDATE OR DELETE ON logins
	FOR EACH ROW EXECUTE FUNCTION notify_login_change();
