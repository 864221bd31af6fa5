-- Skill groups' hold and handle times, as agents have them. The facts and
-- rollups kept so far lack them: they are forgotten, and the server derives
-- every session's facts again from its log on its next start (a report
-- checkpoint of 0 starts a rebuild).
ALTER TABLE report_group_facts ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_facts ADD COLUMN handle INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days_g ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days_g ADD COLUMN handle INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days_c ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days_c ADD COLUMN handle INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_group_days ADD COLUMN handle INTEGER NOT NULL DEFAULT 0;

DELETE FROM report_sessions;
DELETE FROM report_session_facts;
DELETE FROM report_agent_facts;
DELETE FROM report_group_facts;
DELETE FROM report_wait_facts;
DELETE FROM report_rating_facts;
DELETE FROM report_transfer_facts;
DELETE FROM report_agent_days_g;
DELETE FROM report_agent_days_c;
DELETE FROM report_agent_days;
DELETE FROM report_group_days_g;
DELETE FROM report_group_days_c;
DELETE FROM report_group_days;
DELETE FROM report_wait_days_ch;
DELETE FROM report_wait_days_g;
DELETE FROM report_wait_days_c;
DELETE FROM report_wait_days;
DELETE FROM report_session_days_ch;
DELETE FROM report_session_days;
DELETE FROM report_rating_days_g;
DELETE FROM report_rating_days_c;
DELETE FROM report_rating_days;
DELETE FROM report_session_rating_days_ch;
DELETE FROM report_session_rating_days_g;
DELETE FROM report_session_rating_days;
UPDATE report_state SET checkpoint = 0 WHERE id = 1;
