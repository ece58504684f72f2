import { createSiteBody, listSitesQuery, updateSiteBody } from '../../sites/site-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { Site } from '../resource-schemas';

const siteId = uuidParams('siteId', 'The site.');

export const siteOperations = adminOperations([
  { method: 'post', path: '/v1/sites', tags: ['Sites'], summary: 'Create a site (a website whose visitors are tracked)', request: { body: jsonBody(createSiteBody) }, responses: { 201: json(Site, 'The new site, with its tracking script URL.'), ...problems(404) } },
  { method: 'get', path: '/v1/sites', tags: ['Sites'], summary: "List a client's sites", request: { query: listSitesQuery }, responses: { 200: json(listOf(Site), 'The sites.'), ...problems(400, 404) } },
  { method: 'get', path: '/v1/sites/{siteId}', tags: ['Sites'], summary: 'Get a site', request: { params: siteId }, responses: { 200: json(Site, 'The site.'), ...problems(404) } },
  {
    method: 'patch',
    path: '/v1/sites/{siteId}',
    tags: ['Sites'],
    summary: "Change a site's tracking, privacy or retention settings",
    request: { params: siteId, body: jsonBody(updateSiteBody, 'At least one setting.') },
    responses: { 200: json(Site, 'The site as changed.'), ...problems(404) },
  },
]);
