% rebase('layout.tpl')
<p class="back"><a href="/draws">&larr; {{t('Draws')}}</a></p>
<h1>{{d.name}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Status')}}</dt><dd>{{label(d.status)}}</dd>
  <dt>{{t('Period')}}</dt><dd>{{days(d)}}</dd>
  <dt>{{t('Entries')}}</dt><dd>{{t('one per customer') if d.weighting == 'one' else t('weighted by points')}}, {{t('at least {n} points').format(n=number(d.min_points))}}{{' · ' + t('{n} eligible now').format(n=number(eligible)) if eligible is not None else ''}}</dd>
  <dt>{{t('Prizes')}}</dt><dd>{{', '.join(view['prizes'])}}</dd>
  <dt>{{t('Commitment (SHA-256 of the seed)')}}</dt><dd><code class="hash">{{view['commitment'] or t('not published yet')}}</code></dd>
  % if view.get('seed'):
  <dt>{{t('Seed (revealed)')}}</dt><dd><code class="hash">{{view['seed']}}</code> — {{t('matches the commitment') if view['seed_matches'] else t('DOES NOT MATCH')}}</dd>
  % end
</dl>
% if user.role in ('owner', 'admin'):
<div class="buttons">
  % for step, label, ok in [('commit', 'Publish the commitment', d.status == 'draft'), ('run', 'Run the draw', d.status == 'committed'), ('notify', 'Notify winners', d.status == 'drawn')]:
  % if ok:
  <form method="post" action="/draws/{{d.id}}/{{step}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="primary" {{!('data-confirm="' + t('Run the draw now? It cannot be undone.') + '"') if step == 'run' else ''}}{{!('data-confirm="' + t('Text every winner now?') + '"') if step == 'notify' else ''}}>{{t(label)}}</button>
  </form>
  % end
  % end
</div>
% end
% if view.get('winners') is not None:
<section class="card">
  <h2>{{t('Winners')}} — {{t('Verify')}}: {{t('the winners follow from the seed and the entries') if view['winners_match'] else t('MISMATCH')}}</h2>
  <ol>
  % for w in view['winners']:
    <li>{{w['prize']}}: {{w['who']}}</li>
  % end
  </ol>
  <h3>{{t('Entries')}} ({{len(view['entries'])}})</h3>
  <table><thead><tr><th>#</th><th>{{t('Who')}}</th><th>{{t('weight')}}</th></tr></thead><tbody>
  % for e in view['entries']:
    <tr><td>{{e['customer']}}</td><td>{{e['who']}}</td><td>{{e['weight']}}</td></tr>
  % end
  </tbody></table>
  <p class="meta">{{t('To check: for round r = 0, 1, …, compute HMAC-SHA256(seed, "round:r") as a big-endian number, take it modulo the total weight of the entries still in (in customer-number order), and walk the entries to the one it falls on; that entry wins and leaves the draw.')}}</p>
</section>
% end
