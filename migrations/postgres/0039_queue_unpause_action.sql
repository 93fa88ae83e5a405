-- A queue unpaused is audited as `queue.unpause`, the command's own word: `queue.resume` read as the
-- emergency stop's release (`control.resume`). The rows written before keep their meaning under the new
-- name, so a filter by it finds them too (a filter by the old name is read as the new one). SQLite 0026.
UPDATE jobs.tb_audit_log SET action = 'queue.unpause' WHERE action = 'queue.resume';
