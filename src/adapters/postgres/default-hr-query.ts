/**
 * The source query used when settings give none: active employees joined to their office,
 * office columns aliased `office_<column>` so they land in `SourceRow.office`. Ordered by id so
 * pages, plans and logs come out in the same order every run.
 */
export const DEFAULT_HR_QUERY = `SELECT e.id, e.first_name, e.last_name, e.email, e.title, e.phone, e.profile_image_url, e.status,
       o.id AS office_id, o.name AS office_name, o.city AS office_city,
       o.street_address AS office_street_address, o.postal_code AS office_postal_code,
       o.phone AS office_phone, o.email AS office_email, o.homepage_url AS office_homepage_url
FROM employees e LEFT JOIN offices o ON o.id = e.office_id
WHERE e.status = 'active'
ORDER BY e.id`;

/** Rows fetched per round trip when settings give no page size. */
export const DEFAULT_HR_PAGE_SIZE = 500;
