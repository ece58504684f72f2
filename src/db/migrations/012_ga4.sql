-- Google Analytics 4 per site (docs/ga4.md): each completed call attributed to a visit that carried GA
-- ids is sent to the site's GA4 property as a Measurement Protocol event. The API secret is sealed like
-- personal data (PersonalDataCipher): it must be readable to build the request, so it cannot be hashed.
-- Measurement id and secret are set and cleared together; the event name defaults to a custom
-- 'phone_call' rather than the recommended 'generate_lead', because missed and very short calls are
-- sent too and are not leads (a client may choose 'generate_lead' or any valid name).
ALTER TABLE sites ADD COLUMN ga4_measurement_id text CHECK (ga4_measurement_id ~ '^G-[A-Z0-9]{4,20}$');
ALTER TABLE sites ADD COLUMN ga4_api_secret_sealed text;
ALTER TABLE sites ADD COLUMN ga4_event_name text NOT NULL DEFAULT 'phone_call';
ALTER TABLE sites ADD COLUMN ga4_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD CONSTRAINT sites_ga4_complete CHECK ((ga4_measurement_id IS NULL) = (ga4_api_secret_sealed IS NULL));
ALTER TABLE sites ADD CONSTRAINT sites_ga4_enabled_needs_settings CHECK (NOT ga4_enabled OR ga4_measurement_id IS NOT NULL);
