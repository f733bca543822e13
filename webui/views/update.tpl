% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Update')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<section class="card">
  <dl class="facts">
    <dt>{{t('Running')}}</dt><dd>Loket {{running}}</dd>
    % if current:
    <dt>{{t('Installed')}}</dt><dd>{{current}}{{(' · ' + t('before it') + ': ' + previous) if previous else ''}}</dd>
    % end
  </dl>
  % if staged:
  <p class="flash warn">{{t('Waiting to be installed')}}: {{', '.join(staged)}}. {{t('The web UI restarts during the switch.')}}</p>
  % end
  % if last.get('outcome'):
  <h2>{{t('Last update')}}</h2>
  <p class="{{'flash' if last['outcome'] == 'installed' else 'error'}}">
    {{ t({'installed': 'Installed', 'rolled_back': 'Rolled back', 'refused': 'Refused'}.get(last['outcome'], last['outcome'])) }}:
    {{last.get('bundle', '')}} ({{last.get('from', '?')}} &rarr; {{last.get('to', '?')}}), {{last.get('finished', '')}}
    % if last.get('reason'):
    <br>{{last['reason']}}
    % end
  </p>
  <details><summary>{{t('Steps')}}</summary>
    <ol class="plain">
    % for s in last.get('steps', []):
      <li>{{s}}</li>
    % end
    </ol>
  </details>
  % end
</section>
<section class="card">
  <h2>{{t('Install an update')}}</h2>
  % if has_key:
  <p class="meta">{{t('An update is a file named loket-<version>-<machine>.bundle. It is checked first (signed by the Loket release key, nothing damaged, made for this box). It is installed beside the running version; the box takes a backup, switches, and goes back to this version by itself if the new one does not come up.')}} {{t('Or put it on the USB stick labelled LOKETBACKUP (or LOKET-BACKUP) in a folder loket-updates: the box installs it when the stick is plugged in.')}}</p>
  <form method="post" action="/settings/update" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="file" name="file" accept=".bundle" required aria-label="{{t('Install an update')}}">
    <button type="submit" class="primary">{{t('Check and install')}}</button>
  </form>
  % else:
  <p class="error">{{t('This box has no release key (the release_key setting), so it cannot check an update and installs none.')}}</p>
  % end
</section>
