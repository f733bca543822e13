% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>Update</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<section class="card">
  <dl class="facts">
    <dt>Running</dt><dd>Loket {{running}}</dd>
    % if current:
    <dt>Installed</dt><dd>{{current}}{{(' · before it: ' + previous) if previous else ''}}</dd>
    % end
  </dl>
  % if staged:
  <p class="flash warn">Waiting to be installed: {{', '.join(staged)}}. The web UI restarts during the switch.</p>
  % end
  % if last.get('outcome'):
  <h2>Last update</h2>
  <p class="{{'flash' if last['outcome'] == 'installed' else 'error'}}">
    {{ {'installed': 'Installed', 'rolled_back': 'Rolled back', 'refused': 'Refused'}.get(last['outcome'], last['outcome']) }}:
    {{last.get('bundle', '')}} ({{last.get('from', '?')}} &rarr; {{last.get('to', '?')}}), {{last.get('finished', '')}}
    % if last.get('reason'):
    <br>{{last['reason']}}
    % end
  </p>
  <details><summary>Steps</summary>
    <ol class="plain">
    % for s in last.get('steps', []):
      <li>{{s}}</li>
    % end
    </ol>
  </details>
  % end
</section>
<section class="card">
  <h2>Install an update</h2>
  % if has_key:
  <p class="meta">An update is a file named loket-&lt;version&gt;-&lt;machine&gt;.bundle. It is checked first (signed by the Loket release key, nothing damaged, made for this box). It is installed beside the running version; the box takes a backup, switches, and goes back to this version by itself if the new one does not come up. Or put it on the USB stick labelled LOKETBACKUP (or LOKET-BACKUP) in a folder loket-updates: the box installs it when the stick is plugged in.</p>
  <form method="post" action="/settings/update" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="file" name="file" accept=".bundle" required>
    <button type="submit" class="primary">Check and install</button>
  </form>
  % else:
  <p class="error">This box has no release key (the release_key setting), so it cannot check an update and installs none.</p>
  % end
</section>
