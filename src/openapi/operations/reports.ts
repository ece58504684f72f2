import { reportQuery } from '../../reports/report-routes';
import { adminOperations, json, problems } from '../components';
import { CallsReport } from '../resource-schemas';

export const reportOperations = adminOperations([
  {
    method: 'get',
    path: '/v1/reports/calls',
    tags: ['Reports'],
    summary: "A site's calls grouped by source, medium, campaign, keyword, landing page, number, day or hour",
    description:
      'Counts calls started in [from, to) (at most 400 days; the last 30 by default) by one or two dimensions. Day and hour buckets start in `timeZone`. ' +
      'Groups come in time order when grouped by day or hour, otherwise most calls first. Restricted calls are left out. docs/reports.md defines each metric.',
    request: { query: reportQuery },
    responses: { 200: json(CallsReport, 'The report.'), ...problems(400) },
  },
]);
