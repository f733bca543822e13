% rebase('layout.tpl')
<p class="back"><a href="/customers">&larr; {{t('Customers')}}</a></p>
<h1>{{t('Import customers')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if report is None:
<section class="card">
  <p>{{t('A CSV file with a header row: a phone column (phone, telepon, hp, no hp…) and any of name, address, email, tags, notes, language, promo.')}} {{t('Excel exports with ; as separator, numbers like 0812…, and UTF-8 or Windows encodings are fine.')}} {{t("You will see every row's verdict before anything changes.")}}</p>
  <form method="post" action="/customers/import" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="file" name="file" accept=".csv,text/csv" required aria-label="{{t('Check the file')}}">
    <button type="submit" class="primary">{{t('Check the file')}}</button>
  </form>
</section>
<p><a href="/customers/import/smsd">{{t('Move in from Gammu SMSD, Kalkun or playSMS')}}</a></p>
% else:
<section class="card">
  <h2>{{t('Imported') if get('done') else t('Preview')}}</h2>
  <p>
  % for status, n in report.summary.items():
    <span class="badge {{status}}">{{t(status)}}: {{n}}</span>
  % end
  </p>
  <p class="meta">{{t('Columns')}}: {{', '.join(f + ' ← ' + col for f, col in report.columns.items())}}</p>
  % if token:
  <form method="post" action="/customers/import/confirm">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="token" value="{{token}}">
    <button type="submit" class="primary">{{t('Import these rows')}}</button>
  </form>
  % end
  <table>
    <thead><tr><th>{{t('Line')}}</th><th>{{t('Status')}}</th><th>{{t('Phone')}}</th><th>{{t('Name')}}</th><th>{{t('Reason')}}</th></tr></thead>
    <tbody>
    % for r in report.rows:
      <tr class="{{r.status}}"><td>{{r.line}}</td><td>{{t(r.status)}}</td><td>{{phone_number(r.phone)}}</td><td>{{r.name}}</td><td>{{t(r.reason)}}</td></tr>
    % end
    </tbody>
  </table>
</section>
% end
