import { adminApi, BACKENDS, createTrackedSite, expectProblem, useTestApp } from '../support/fixtures';

describe.each(BACKENDS)('site tracking settings on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  maybe('when a site is created without privacy settings, then consent is not required, DNT is ignored and GPC honoured', async () => {
    const t = app();
    const { siteId } = await createTrackedSite(t);

    const res = await adminApi(t).get(`/v1/sites/${siteId}`).expect(200);

    expect(res.body).toMatchObject({ consent: 'not-required', honorDnt: false, honorGpc: true });
  });

  maybe('when a site is created with privacy settings, then they are kept', async () => {
    const t = app();
    const owner = await adminApi(t).post('/v1/clients', { name: 'Acme' }).expect(201);

    const res = await adminApi(t)
      .post('/v1/sites', { clientId: owner.body.id, name: 'Acme', domains: ['shop.example'], consent: 'required', honorDnt: true, honorGpc: false })
      .expect(201);

    expect(res.body).toMatchObject({ consent: 'required', honorDnt: true, honorGpc: false });
  });

  maybe('when settings are patched, then only the given ones change and the answer is the whole site', async () => {
    // Arrange
    const t = app();
    const { siteId } = await createTrackedSite(t);

    // Act
    const res = await adminApi(t)
      .patch(`/v1/sites/${siteId}`, { swapTargets: ['+442079460000', '+442079460000', '+15550101234'], domains: ['New.Example'], honorDnt: true })
      .expect(200);

    // Assert
    expect(res.body).toMatchObject({
      id: siteId,
      trackingEnabled: true,
      swapTargets: ['+442079460000', '+15550101234'],
      domains: ['new.example'],
      consent: 'not-required',
      honorDnt: true,
      honorGpc: true,
    });
    expect((await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body).toEqual(res.body);
  });

  maybe.each([
    ['an empty body', {}],
    ['an unknown field', { name: 'Renamed' }],
    ['a consent mode that does not exist', { consent: 'maybe' }],
    ['a swap target that is not E.164', { swapTargets: ['020 7946 0000'] }],
    ['no domains', { domains: [] }],
    ['a domain with a scheme', { domains: ['https://shop.example'] }],
    ['a string for a boolean', { trackingEnabled: 'yes' }],
  ])('when the patch has %s, then 400 problem and nothing changes', async (_label, body) => {
    const t = app();
    const { siteId } = await createTrackedSite(t);
    const before = (await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body;

    expectProblem(await adminApi(t).patch(`/v1/sites/${siteId}`, body), 400);
    expect((await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body).toEqual(before);
  });

  maybe('when the site does not exist, then 404 problem', async () => {
    expectProblem(await adminApi(app()).patch('/v1/sites/00000000-0000-4000-8000-000000000000', { honorDnt: true }), 404);
  });

  maybe('when tracking is switched off by a patch, then the next visit is shown no number', async () => {
    const t = app();
    const { siteId, siteKey } = await createTrackedSite(t);

    await adminApi(t).patch(`/v1/sites/${siteId}`, { trackingEnabled: false }).expect(200);
    const { registerVisit } = await import('../support/fixtures');
    const res = await registerVisit(t, siteKey, { url: 'https://shop.example/' }).expect(200);

    expect(res.body).toMatchObject({ visitId: null, number: null });
  });
});
